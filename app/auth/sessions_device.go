package auth

import (
	"strings"

	"github.com/medama-io/go-useragent"
	"github.com/medama-io/go-useragent/agents"
)

// Device is what a user agent says about the browser and system a session
// was started from, for people choosing which session to end.
type Device struct {
	// Description reads like "Chrome on macOS", "Safari on iPhone", "curl",
	// or "Unknown device" when the user agent says nothing recognisable.
	Description string
	Browser     string // e.g. "Chrome"; empty when unknown
	OS          string // e.g. "macOS", "iOS"; empty when unknown
}

// unknownDevice describes an empty or unrecognisable user agent.
const unknownDevice = "Unknown device"

// osNames spells operating systems the way their makers do.
var osNames = map[agents.OS]string{
	agents.OSMacOS:    "macOS",
	agents.OSIOS:      "iOS",
	agents.OSWindows:  "Windows",
	agents.OSLinux:    "Linux",
	agents.OSAndroid:  "Android",
	agents.OSChromeOS: "ChromeOS",
	agents.OSFreeBSD:  "FreeBSD",
	agents.OSOpenBSD:  "OpenBSD",
}

// DescribeDevice parses a user agent. The parser (a trie built from the
// library's embedded list) is built on first use, not at start-up.
func DescribeDevice(ua string) Device {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return Device{Description: unknownDevice}
	}
	agent := useragent.NewParser().Parse(ua)
	d := Device{Browser: string(agent.Browser())}
	if agent.OS() != "" {
		d.OS = osNames[agent.OS()]
		if d.OS == "" {
			d.OS = string(agent.OS())
		}
	}
	place := d.OS
	if agent.OS() == agents.OSIOS {
		// "iOS" is also what iPads ran before iPadOS; people know the device.
		switch {
		case agent.IsTablet():
			place = "iPad"
		case agent.IsMobile():
			place = "iPhone"
		}
	}
	switch {
	case d.Browser != "" && place != "":
		d.Description = d.Browser + " on " + place
	case d.Browser != "":
		d.Description = d.Browser
	case place != "":
		d.Description = place
	default:
		d.Description = productName(ua)
	}
	return d
}

// productName is the first product token of a user agent that is not a
// browser's, like "curl" in "curl/8.5.0" or "Go-http-client" in
// "Go-http-client/1.1", or unknownDevice.
func productName(ua string) string {
	first, _, _ := strings.Cut(ua, " ")
	name, _, _ := strings.Cut(first, "/")
	if name == "" || name == "Mozilla" || len(name) > 40 {
		return unknownDevice
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return unknownDevice
		}
	}
	return name
}
