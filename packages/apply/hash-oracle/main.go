// Command hash-oracle computes lynq.sh/applied-hash the way the Go operator does, for
// @lynq/apply's differential tests. Each stdin line is one JSON document (a desired object). It
// is decoded as Kubernetes decodes objects into unstructured (integers that fit int64 become
// int64, other numbers float64), the applied-hash and apply-start-time annotations are removed
// (and annotations dropped if that empties them), and the result is marshalled with
// encoding/json. Each stdout line is {"hash": first 8 bytes of SHA-256 in hex, "json": the
// marshalled text} or {"error": ...}.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"

	kjson "sigs.k8s.io/json"
)

const (
	appliedHash    = "lynq.sh/applied-hash"
	applyStartTime = "lynq.sh/apply-start-time"
)

type result struct {
	Hash  string `json:"hash,omitempty"`
	JSON  string `json:"json,omitempty"`
	Error string `json:"error,omitempty"`
}

// withoutBookkeeping mirrors what the operator leaves out of the hash: its own two annotations.
func withoutBookkeeping(obj map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	meta, ok := obj["metadata"].(map[string]interface{})
	if !ok {
		return out
	}
	annotations, ok := meta["annotations"].(map[string]interface{})
	if !ok || len(annotations) == 0 {
		return out
	}
	newMeta := make(map[string]interface{}, len(meta))
	for k, v := range meta {
		newMeta[k] = v
	}
	kept := make(map[string]interface{}, len(annotations))
	for k, v := range annotations {
		if k != appliedHash && k != applyStartTime {
			kept[k] = v
		}
	}
	if len(kept) == 0 {
		delete(newMeta, "annotations")
	} else {
		newMeta["annotations"] = kept
	}
	out["metadata"] = newMeta
	return out
}

func hashOf(line []byte) result {
	var obj map[string]interface{}
	if err := kjson.UnmarshalCaseSensitivePreserveInts(line, &obj); err != nil {
		return result{Error: err.Error()}
	}
	data, err := json.Marshal(withoutBookkeeping(obj))
	if err != nil {
		return result{Error: err.Error()}
	}
	sum := sha256.Sum256(data)
	return result{Hash: fmt.Sprintf("%x", sum[:8]), JSON: string(data)}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		if err := enc.Encode(hashOf(in.Bytes())); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
