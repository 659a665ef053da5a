// Command k8scheck checks rendered Kubernetes manifests offline, as an API server would take them:
// every object must be of a kind it knows; built-in kinds decode strictly into their k8s.io/api
// types (an unknown or duplicated field is an error); custom resources validate against the
// openAPIV3Schema of their CustomResourceDefinition, with unknown fields refused.
//
// Usage: k8scheck -crds DIR [FILE ...]   (no FILE, or "-": standard input)
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// doc is one YAML document of the input, with the template it came from (helm's "# Source:" line).
type doc struct {
	source string
	data   []byte
}

func main() {
	crdDir := flag.String("crds", "", "folder of CustomResourceDefinition files (Dapr's charts/dapr/crds)")
	flag.Parse()
	if *crdDir == "" {
		fmt.Fprintln(os.Stderr, "k8scheck: -crds DIR is required")
		os.Exit(2)
	}
	crds, err := loadCRDs(*crdDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8scheck: %v\n", err)
		os.Exit(2)
	}
	docs, err := readInputs(flag.Args())
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8scheck: %v\n", err)
		os.Exit(2)
	}
	builtin := newBuiltinChecker()
	seen := map[string]string{}
	failed, counts := 0, map[string]int{}
	for _, d := range docs {
		kind, problems := check(d, crds, builtin, seen)
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "k8scheck: %s: %s: %s\n", d.source, kind, p)
		}
		if len(problems) > 0 {
			failed++
		}
		counts[kind]++
	}
	fmt.Printf("k8scheck: %d objects, %d refused (%s)\n", len(docs), failed, summary(counts))
	if failed > 0 || len(docs) == 0 {
		os.Exit(1)
	}
}

// check returns the object's kind (group/version, Kind) and what is wrong with it.
func check(d doc, crds map[string]*crdSchema, builtin *builtinChecker, seen map[string]string) (string, []string) {
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(d.data, &meta); err != nil {
		return "?", []string{fmt.Sprintf("not a YAML object: %v", err)}
	}
	kind := meta.APIVersion + ", " + meta.Kind
	key := kind + "/" + meta.Metadata.Name
	if other, dup := seen[key]; dup {
		return kind, []string{fmt.Sprintf("%q is defined twice (also in %s)", meta.Metadata.Name, other)}
	}
	seen[key] = d.source
	if s, ok := crds[kind]; ok {
		return kind, s.validate(d.data)
	}
	return kind, builtin.validate(d.data)
}

func readInputs(paths []string) ([]doc, error) {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	var docs []doc
	for _, p := range paths {
		var r io.Reader = os.Stdin
		if p != "-" {
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			r = f
		}
		more, err := splitDocs(r, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		docs = append(docs, more...)
	}
	return docs, nil
}

// splitDocs returns the non-empty documents of a multi-document YAML stream.
func splitDocs(r io.Reader, name string) ([]doc, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var docs []doc
	for {
		data, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		source := fmt.Sprintf("%s#%d", name, len(docs)+1)
		empty := true
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if after, ok := strings.CutPrefix(line, "# Source: "); ok {
				source = after
			}
			if line != "" && !strings.HasPrefix(line, "#") && line != "---" {
				empty = false
			}
		}
		if !empty {
			docs = append(docs, doc{source: source, data: bytes.Clone(data)})
		}
	}
}

func summary(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for kind, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, kind[strings.LastIndex(kind, " ")+1:]))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
