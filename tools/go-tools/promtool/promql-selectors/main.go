// Command promql-selectors lists the series selectors of PromQL expressions: for each selector,
// the metric name and the label names of its matchers. It uses Prometheus' own parser (and for
// rule files its own rule-file reader), so function names, keywords, grouping labels, strings and
// durations are never mistaken for metric names, as a regular expression over the text would.
//
// Expressions:  promql-selectors < exprs.json
//
//	stdin:  ["sum(rate(foo_total{a=\"b\"}[5m]))", ...]
//	stdout: [{"expr": "...", "selectors": [{"metric": "foo_total", "labels": ["a"]}]}, ...]
//
// A rule file:  promql-selectors --rules FILE
//
//	stdout: {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "...", "for": "5m",
//	         "labels": {...}, "annotations": {...}, "selectors": [...]}]}], "errors": []}
//
// A selector without a fixed metric name (`{__name__=~"..."}`) has "metric": "". An expression
// that does not parse has "error" set and no selectors; a rule file Prometheus would refuse has
// its reasons in "errors". The exit status is 0 for both: the caller decides what is wrong.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

type selector struct {
	Metric string   `json:"metric"`
	Labels []string `json:"labels"`
}

type exprResult struct {
	Expr      string     `json:"expr"`
	Selectors []selector `json:"selectors"`
	Error     string     `json:"error,omitempty"`
}

type ruleResult struct {
	Alert       string            `json:"alert,omitempty"`
	Record      string            `json:"record,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Selectors   []selector        `json:"selectors"`
	Error       string            `json:"error,omitempty"`
}

type groupResult struct {
	Name  string       `json:"name"`
	Rules []ruleResult `json:"rules"`
}

type fileResult struct {
	Groups []groupResult `json:"groups"`
	Errors []string      `json:"errors"`
}

var promql = parser.NewParser(parser.Options{})

func selectorsOf(expr parser.Expr) []selector {
	out := []selector{}
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		s := selector{Metric: vs.Name, Labels: []string{}}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName {
				if s.Metric == "" && m.Type == labels.MatchEqual {
					s.Metric = m.Value
				}
				continue
			}
			s.Labels = append(s.Labels, m.Name)
		}
		out = append(out, s)
		return nil
	})
	return out
}

// parse returns the selectors of text, or the parser's message.
func parse(text string) ([]selector, string) {
	expr, err := promql.ParseExpr(text)
	if err != nil {
		return []selector{}, err.Error()
	}
	return selectorsOf(expr), ""
}

func exprs(in io.Reader) (any, error) {
	var texts []string
	if err := json.NewDecoder(in).Decode(&texts); err != nil {
		return nil, fmt.Errorf("stdin must be a JSON array of strings: %w", err)
	}
	results := make([]exprResult, 0, len(texts))
	for _, text := range texts {
		selectors, msg := parse(text)
		results = append(results, exprResult{Expr: text, Selectors: selectors, Error: msg})
	}
	return results, nil
}

func rules(file string) any {
	out := fileResult{Groups: []groupResult{}, Errors: []string{}}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	groups, errs := rulefmt.ParseFile(file, false, model.LegacyValidation, promql, logger)
	for _, err := range errs {
		out.Errors = append(out.Errors, err.Error())
	}
	if groups == nil {
		return out
	}
	for _, g := range groups.Groups {
		gr := groupResult{Name: g.Name, Rules: []ruleResult{}}
		for _, r := range g.Rules {
			selectors, msg := parse(r.Expr)
			rr := ruleResult{
				Alert: r.Alert, Record: r.Record, Expr: r.Expr, For: r.For.String(),
				Labels: r.Labels, Annotations: r.Annotations, Selectors: selectors, Error: msg,
			}
			if rr.Labels == nil {
				rr.Labels = map[string]string{}
			}
			if rr.Annotations == nil {
				rr.Annotations = map[string]string{}
			}
			gr.Rules = append(gr.Rules, rr)
		}
		out.Groups = append(out.Groups, gr)
	}
	return out
}

func main() {
	var result any
	switch {
	case len(os.Args) == 1:
		r, err := exprs(os.Stdin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "promql-selectors: %v\n", err)
			os.Exit(2)
		}
		result = r
	case len(os.Args) == 3 && os.Args[1] == "--rules":
		result = rules(os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: promql-selectors < exprs.json | promql-selectors --rules FILE")
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(result); err != nil {
		fmt.Fprintf(os.Stderr, "promql-selectors: %v\n", err)
		os.Exit(1)
	}
}
