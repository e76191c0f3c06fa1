package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nexus/app/authz"
	"nexus/app/kb"
)

func openKBTestStore(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// Versions can be added, never changed; the tree lists live documents in
// order with one query.
func TestKBVersionsAreImmutableAndTreeIsOrdered(t *testing.T) {
	ctx := context.Background()
	st := openKBTestStore(t)
	sp := &kb.Space{ID: "s1", Name: "공간", Visibility: authz.VisibleToOrg, CreatedBy: "u", Version: 1}
	err := st.Update(ctx, func(tx *Tx) error {
		sp.CreatedAt, sp.UpdatedAt = tx.Now(), tx.Now()
		if err := tx.CreateSpace(ctx, sp); err != nil {
			return err
		}
		rank := ""
		for i, title := range []string{"다", "가", "나"} {
			rank = kb.RankBetween(rank, "")
			d := &kb.Document{ID: "d" + string(rune('1'+i)), SpaceID: "s1", Rank: rank, Title: title, Status: kb.StatusPublished,
				CreatedBy: "u", UpdatedBy: "u", CreatedAt: tx.Now(), UpdatedAt: tx.Now(), Version: 1, Tags: []string{"태그", "b"}}
			if err := tx.CreateDocument(ctx, d); err != nil {
				return err
			}
			if err := tx.AddVersion(ctx, &kb.Version{DocumentID: d.ID, Number: 1, Title: title, Body: "본문", Status: d.Status,
				AuthorID: "u", CreatedAt: tx.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE document_versions SET body = 'changed' WHERE document_id = 'd1'`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("changing a version: %v", err)
	}
	err = st.Update(ctx, func(tx *Tx) error {
		return tx.AddVersion(ctx, &kb.Version{DocumentID: "d1", Number: 1, Title: "x", AuthorID: "u", CreatedAt: time.Now()})
	})
	if err == nil {
		t.Fatal("a version number was reused")
	}
	tree, err := st.FindTree(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, n := range tree {
		titles = append(titles, n.Title)
	}
	if strings.Join(titles, ",") != "다,가,나" {
		t.Fatalf("tree = %v", titles)
	}
	d, err := st.FindDocumentByID(ctx, "d1")
	if err != nil || strings.Join(d.Tags, ",") != "b,태그" {
		t.Fatalf("document = %+v %v", d, err)
	}
}
