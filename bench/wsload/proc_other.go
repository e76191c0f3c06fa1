//go:build !linux

package main

import (
	"errors"
	"syscall"
	"time"
)

var errNotLinux = errors.New("process statistics need Linux /proc")

func serverProcAttr() *syscall.SysProcAttr { return nil }

func procRSS(int) (uint64, error) { return 0, errNotLinux }

func procCPU(int) (time.Duration, error) { return 0, errNotLinux }

func selfCPU() time.Duration { return 0 }

func machineBusy() time.Duration { return 0 }

func loadAverage() string { return "?" }
