package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// crdSchema is one served version of a custom resource: its schema as the API server validates
// with, and its structural form, which names the fields the server would prune (unknown ones).
type crdSchema struct {
	validator  validation.SchemaValidator
	structural *structuralschema.Structural
}

// loadCRDs reads every CustomResourceDefinition in dir, keyed by "group/version, Kind".
func loadCRDs(dir string) (map[string]*crdSchema, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no CustomResourceDefinition files in %s", dir)
	}
	out := map[string]*crdSchema{}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		docs, err := splitDocs(f, file)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if err := addCRD(out, d.data); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
	}
	return out, nil
}

func addCRD(out map[string]*crdSchema, data []byte) error {
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &crd); err != nil {
		return err
	}
	for _, v := range crd.Spec.Versions {
		if !v.Served || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		internal := &apiextensions.JSONSchemaProps{}
		err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil)
		if err != nil {
			return err
		}
		structural, err := structuralschema.NewStructural(internal)
		if err != nil {
			return fmt.Errorf("%s %s: not a structural schema: %w", crd.Name, v.Name, err)
		}
		validator, _, err := validation.NewSchemaValidator(internal)
		if err != nil {
			return err
		}
		out[crd.Spec.Group+"/"+v.Name+", "+crd.Spec.Names.Kind] = &crdSchema{validator: validator, structural: structural}
	}
	return nil
}

func (s *crdSchema) validate(data []byte) []string {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return []string{err.Error()}
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(js); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, e := range validation.ValidateCustomResource(nil, obj.Object, s.validator) {
		problems = append(problems, e.Error())
	}
	unknown := pruning.PruneWithOptions(obj.DeepCopy().Object, s.structural, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, path := range unknown {
		problems = append(problems, fmt.Sprintf("unknown field %q", path))
	}
	return append(problems, checkMetadata(js)...)
}

// checkMetadata decodes the object's metadata strictly into ObjectMeta, as the server does.
func checkMetadata(js []byte) []string {
	var root struct {
		Metadata json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(js, &root); err != nil || len(root.Metadata) == 0 {
		return []string{"metadata is missing"}
	}
	var meta metav1.ObjectMeta
	if err := yaml.UnmarshalStrict(root.Metadata, &meta); err != nil {
		return []string{"metadata: " + strings.TrimPrefix(err.Error(), "error unmarshaling JSON: ")}
	}
	return checkName(meta.Name)
}
