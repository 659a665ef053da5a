{{/* The five services as the apps know them (pizza_common/names.py): app id -> app port and
Dapr configuration. Fixed here, not values: the apps invoke each other by these ids. */}}
{{- define "pizza.apps" -}}
pizza-order: {port: 8001, config: pizza-config}
pizza-storefront: {port: 8002, config: pizza-config}
pizza-kitchen: {port: 8003, config: pizza-workflow-only-config}
pizza-delivery: {port: 8004, config: pizza-workflow-only-config}
pizza-workflow: {port: 8005, config: pizza-config}
{{- end -}}

{{- define "pizza.labels" -}}
app.kubernetes.io/part-of: pizza
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* The Host names a service behind a Service answers to (pizza-order, pizza-workflow): loopback (its
sidecar and the probes), its Service's names, and for pizza-order the Ingress host. */}}
{{- define "pizza.serviceHosts" -}}
{{- $ns := .root.Release.Namespace -}}
{{- $hosts := list "127.0.0.1" "localhost" "[::1]" .id (printf "%s.%s" .id $ns) (printf "%s.%s.svc" .id $ns) (printf "%s.%s.svc.%s" .id $ns .root.Values.clusterDomain) -}}
{{- if and (eq .id "pizza-order") .root.Values.ingress.enabled }}{{ $hosts = append $hosts .root.Values.ingress.host }}{{ end -}}
{{- join "," $hosts -}}
{{- end -}}

{{/* A value read from a Secret this chart does not create. */}}
{{- define "pizza.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end -}}
