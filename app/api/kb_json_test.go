package api

import (
	"encoding/json"
	"reflect"
	"testing"

	"nexus/app/kb"
)

// The hand-written tree encoder must produce what encoding/json reads back
// exactly, whatever the titles hold.
func TestAppendTreeJSON(t *testing.T) {
	nodes := []kb.TreeNode{
		{ID: "a", Title: `따옴표 " 와 \ 역슬래시`, Rank: "a0", Status: "published", HasChildren: true},
		{ID: "b", ParentID: "a", Title: "tab\there\nnew\u2028line </script>", Rank: "a0V", Status: "draft", Depth: 1},
		{ID: "c", Title: "bad \xff byte", Rank: "a1", Status: "published"},
	}
	var got struct {
		Items      []kb.TreeNode `json:"items"`
		NextCursor string        `json:"next_cursor"`
	}
	raw := appendTreeJSON(nil, nodes)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	want := append([]kb.TreeNode(nil), nodes...)
	want[2].Title = "bad \uFFFD byte"
	if !reflect.DeepEqual(got.Items, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got.Items, want)
	}
	if raw := appendTreeJSON(nil, nil); string(raw) != `{"items":[],"next_cursor":""}` {
		t.Fatalf("empty = %s", raw)
	}
}
