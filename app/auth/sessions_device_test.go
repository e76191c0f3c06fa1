package auth

import "testing"

func TestDescribeDevice(t *testing.T) {
	tests := []struct {
		ua                       string
		description, browser, os string
	}{
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome on macOS", "Chrome", "macOS"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
			"Safari on iPhone", "Safari", "iOS"},
		{"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
			"Safari on iPad", "Safari", "iOS"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
			"Safari on macOS", "Safari", "macOS"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
			"Firefox on Windows", "Firefox", "Windows"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
			"Edge on Windows", "Edge", "Windows"},
		{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
			"Samsung Browser on Android", "Samsung Browser", "Android"},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
			"Firefox on Linux", "Firefox", "Linux"},
		{"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Chrome on ChromeOS", "Chrome", "ChromeOS"},
		{"curl/8.5.0", "curl", "", ""},
		{"Go-http-client/1.1", "Go-http-client", "", ""},
		{"python-requests/2.31.0", "python-requests", "", ""},
		{"", "Unknown device", "", ""},
		{"   ", "Unknown device", "", ""},
		{"Mozilla/5.0", "Unknown device", "", ""},
		{"<script>alert(1)</script>", "Unknown device", "", ""},
	}
	for _, tt := range tests {
		d := DescribeDevice(tt.ua)
		if d.Description != tt.description || d.Browser != tt.browser || d.OS != tt.os {
			t.Errorf("DescribeDevice(%.60q) = %+v, want %q, %q, %q", tt.ua, d, tt.description, tt.browser, tt.os)
		}
	}
}

func BenchmarkDescribeDevice(b *testing.B) {
	ua := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	DescribeDevice(ua)
	for b.Loop() {
		DescribeDevice(ua)
	}
}
