module lynq.sh/apply-hash-oracle

go 1.23

require sigs.k8s.io/json v0.0.0-20250730193827-2d320260d730
