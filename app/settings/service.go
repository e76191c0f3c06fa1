package settings

// Service stores settings and serves them from memory.
type Service struct{}
