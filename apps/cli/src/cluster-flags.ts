// Flags every cluster command shares.
export const CLUSTER_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  progress: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CLUSTER_FLAGS_USAGE = `  -n, --namespace NS             the namespace (default: the objects' own, else "default")
  --kubeconfig PATH              default: $KUBECONFIG, in-cluster, ~/.kube/config
  --context NAME                 a context of the kubeconfig other than the current one
  -o, --output table|yaml|json   default table
  --progress                     progress on stderr even when it is not a terminal`;
