//go:build linux

package main

import (
	"os"
	"testing"
	"time"
)

func TestParseProcStatus(t *testing.T) {
	status := "Name:\tnexus\nVmPeak:\t 1234 kB\nVmHWM:\t   40960 kB\nVmRSS:\t   20480 kB\nThreads:\t7\n"
	rss, hwm, err := parseProcStatus(status)
	if err != nil || rss != 20480*1024 || hwm != 40960*1024 {
		t.Fatalf("parseProcStatus = %d, %d, %v", rss, hwm, err)
	}
	if _, _, err := parseProcStatus("Name:\tx\n"); err == nil {
		t.Error("status without VmRSS accepted")
	}
}

func TestParseProcStat(t *testing.T) {
	// comm with spaces and a ')' to prove the parser skips it.
	stat := "4242 (ne) xus) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 100 0 0"
	got, err := parseProcStat(stat)
	if err != nil || got != 3*time.Second {
		t.Fatalf("parseProcStat = %v, %v; want 3s", got, err)
	}
}

func TestProcSelf(t *testing.T) {
	if _, _, err := procMemory(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if _, err := procCPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
}

func TestParseMachineBusy(t *testing.T) {
	stat := "cpu  100 5 50 1000 20 3 2 0 7 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n"
	got, err := parseMachineBusy(stat)
	// user+nice+system+irq+softirq+steal = 100+5+50+3+2+0 = 160 ticks
	if err != nil || got != 1600*time.Millisecond {
		t.Fatalf("parseMachineBusy = %v, %v; want 1.6s", got, err)
	}
	if _, err := machineBusy(); err != nil {
		t.Fatal(err)
	}
}
