// Command render-oracle renders Go text/template + Sprig templates the way Lynq (Go) does, for
// @lynq/render's differential tests. Input on stdin: a JSON array of {template, vars, now};
// output on stdout: a JSON array of {ok, output} or {ok: false, error}.
package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

type testCase struct {
	Template string                 `json:"template"`
	Vars     map[string]interface{} `json:"vars"`
	Now      string                 `json:"now"`
}

type result struct {
	OK     bool   `json:"ok"`
	Output string `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Lynq's custom functions (reference §4); they override Sprig's on name clashes.
func toHost(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Hostname()
	}
	if i := strings.Index(s, ":"); i >= 0 {
		return s[:i]
	}
	return s
}

func trunc63(s string) string {
	if len(s) > 63 {
		return s[:63]
	}
	return s
}

func sha1sum(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func fromJSON(s string) interface{} {
	var v interface{}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return map[string]interface{}{}
	}
	return v
}

func toInt(v interface{}) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint:
		n = int64(x)
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	case uint64:
		n = int64(x)
	case float32:
		n = int64(x)
	case float64:
		n = int64(x)
	case string:
		if i, err := strconv.Atoi(x); err == nil {
			n = int64(i)
		} else if f, err := strconv.ParseFloat(x, 64); err == nil {
			n = int64(f)
		}
	case bool:
		if x {
			n = 1
		}
	}
	return fmt.Sprintf("__LYNQ_TYPE_INT__%d", n)
}

func toFloat(v interface{}) string {
	var f float64
	switch x := v.(type) {
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case int32:
		f = float64(x)
	case uint8:
		f = float64(x)
	case float32:
		f = float64(x)
	case float64:
		f = x
	case string:
		if p, err := strconv.ParseFloat(x, 64); err == nil {
			f = p
		}
	case bool:
		if x {
			f = 1
		}
	}
	return fmt.Sprintf("__LYNQ_TYPE_FLOAT__%v", f)
}

func toBool(v interface{}) string {
	b := false
	switch x := v.(type) {
	case bool:
		b = x
	case string:
		switch strings.ToLower(x) {
		case "true", "1", "yes", "on", "t", "y":
			b = true
		}
	case int:
		b = x != 0
	case int64:
		b = x != 0
	case int32:
		b = x != 0
	case uint8:
		b = x != 0
	case float64:
		b = x != 0
	case float32:
		b = x != 0
	}
	return fmt.Sprintf("__LYNQ_TYPE_BOOL__%t", b)
}

// Helm's toYaml, fromYaml and required, which the Lynq for TypeScript library also offers.
func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func required(warn string, val interface{}) (interface{}, error) {
	if val == nil {
		return val, errors.New(warn)
	} else if s, ok := val.(string); ok && s == "" {
		return val, errors.New(warn)
	}
	return val, nil
}

func render(c testCase) result {
	funcs := sprig.TxtFuncMap()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if c.Now != "" {
		if t, err := time.Parse(time.RFC3339Nano, c.Now); err == nil {
			now = t.UTC()
		}
	}
	funcs["now"] = func() time.Time { return now }
	funcs["toHost"] = toHost
	funcs["trunc63"] = trunc63
	funcs["sha1sum"] = sha1sum
	funcs["fromJson"] = fromJSON
	funcs["int"] = toInt
	funcs["float"] = toFloat
	funcs["bool"] = toBool
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["required"] = required
	tmpl, err := template.New("t").Option("missingkey=error").Funcs(funcs).Parse(c.Template)
	if err != nil {
		return result{Error: "parse: " + err.Error()}
	}
	vars := c.Vars
	if vars == nil {
		vars = map[string]interface{}{}
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, vars); err != nil {
		return result{Error: "execute: " + err.Error()}
	}
	return result{OK: true, Output: buf.String()}
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "render-oracle: bad input:", err)
		os.Exit(2)
	}
	out := make([]result, len(cases))
	for i, c := range cases {
		out[i] = render(c)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "render-oracle:", err)
		os.Exit(2)
	}
}
