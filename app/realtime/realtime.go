// Package realtime delivers events to browsers: the outbox dispatcher
// publishes committed events on the bus, and the WebSocket gateway fans them
// out to the connections allowed to see them.
package realtime

// Gateway is the WebSocket side of realtime delivery.
type Gateway struct{}
