package main

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/validation"
)

// builtinChecker decodes the API groups a chart like this one uses, strictly, as an API server's
// strict field validation does: unknown and duplicated fields are errors, and so is any other kind.
type builtinChecker struct {
	decoder runtime.Decoder
}

func newBuiltinChecker() *builtinChecker {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, networkingv1.AddToScheme, policyv1.AddToScheme,
		autoscalingv2.AddToScheme, batchv1.AddToScheme, rbacv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	opts := kjson.SerializerOptions{Yaml: true, Strict: true}
	return &builtinChecker{decoder: kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, opts)}
}

func (b *builtinChecker) validate(data []byte) []string {
	obj, _, err := b.decoder.Decode(data, nil, nil)
	if err != nil {
		if runtime.IsNotRegisteredError(err) || runtime.IsMissingKind(err) || runtime.IsMissingVersion(err) {
			return []string{fmt.Sprintf("unknown kind: %v", err)}
		}
		return []string{err.Error()}
	}
	accessor, ok := obj.(metav1.Object)
	if !ok {
		return []string{"not an object with metadata"}
	}
	problems := checkName(accessor.GetName())
	if d, ok := obj.(*appsv1.Deployment); ok {
		problems = append(problems, checkSelector(d.Spec.Selector, d.Spec.Template.Labels)...)
	}
	return problems
}

// checkName refuses the names an API server refuses for most kinds.
func checkName(name string) []string {
	if name == "" {
		return []string{"metadata.name is missing"}
	}
	var problems []string
	for _, msg := range validation.IsDNS1123Subdomain(name) {
		problems = append(problems, fmt.Sprintf("metadata.name %q: %s", name, msg))
	}
	return problems
}

// checkSelector refuses a Deployment whose selector does not select its own pods (the API refuses it).
func checkSelector(selector *metav1.LabelSelector, podLabels map[string]string) []string {
	if selector == nil {
		return []string{"spec.selector is missing"}
	}
	s, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return []string{fmt.Sprintf("spec.selector: %v", err)}
	}
	if s.Empty() || !s.Matches(labels.Set(podLabels)) {
		return []string{"spec.selector does not match spec.template.metadata.labels"}
	}
	return nil
}
