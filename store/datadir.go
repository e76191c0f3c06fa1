package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DataDir is Nexus's data directory: the database, keys and (later) blobs
// and derived indexes. Copying it from a stopped server is a full backup.
type DataDir struct {
	Root string
}

// Layout inside the data directory.
const (
	DatabaseFile = "nexus.db"
	KeysDir      = "keys"
	SigningKey   = "signing.key"
)

// ResolveDataDir names a data directory without touching the disk.
func ResolveDataDir(root string) (*DataDir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolve data dir %s: %w", root, err)
	}
	return &DataDir{Root: abs}, nil
}

// PrepareDataDir creates the data directory (0700) and keys/ (0700) if they
// are missing and checks that the directory is writable.
func PrepareDataDir(root string) (*DataDir, error) {
	d, err := ResolveDataDir(root)
	if err != nil {
		return nil, err
	}
	abs := d.Root
	for _, dir := range []string{abs, filepath.Join(abs, KeysDir)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	probe, err := os.CreateTemp(abs, ".write-check-*")
	if err != nil {
		return nil, fmt.Errorf("data dir %s is not writable: %w", abs, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return d, nil
}

// DatabasePath is the SQLite file.
func (d *DataDir) DatabasePath() string { return filepath.Join(d.Root, DatabaseFile) }

// KeyPath is the file of a named key.
func (d *DataDir) KeyPath(name string) string { return filepath.Join(d.Root, KeysDir, name) }

// LoadOrCreateKey returns the named random key, creating it (mode 0600) on
// first use. The file is written to a temporary name and renamed, so a crash
// never leaves a truncated key behind.
func (d *DataDir) LoadOrCreateKey(name string, size int) ([]byte, error) {
	path := d.KeyPath(name)
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) != size {
			return nil, fmt.Errorf("key %s has %d bytes, want %d; restore it from a backup or remove it to start over (all sessions end)", path, len(key), size)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	key = make([]byte, size)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+name+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create key %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("chmod key %s: %w", path, err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write key %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("sync key %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("close key %s: %w", path, err)
	}
	// Link rather than rename: if two processes race on first start, the
	// loser fails here and reads the winner's key instead of replacing it.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return d.LoadOrCreateKey(name, size)
		}
		return nil, fmt.Errorf("install key %s: %w", path, err)
	}
	return key, nil
}
