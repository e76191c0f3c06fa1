package app

import (
	"fmt"

	"github.com/google/uuid"
)

// NewID returns a new UUIDv7 string: unique, and sortable by creation time,
// which keeps B-tree inserts local and cursors cheap.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system's random source fails; nothing
		// sensible can continue without it.
		panic(fmt.Errorf("new id: %w", err))
	}
	return id.String()
}
