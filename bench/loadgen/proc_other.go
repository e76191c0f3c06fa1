//go:build !linux

package main

import (
	"errors"
	"syscall"
	"time"
)

var errNotLinux = errors.New("process statistics need Linux /proc")

func serverProcAttr() *syscall.SysProcAttr { return nil }

func procMemory(pid int) (rss, hwm uint64, err error) { return 0, 0, errNotLinux }

func procCPU(pid int) (time.Duration, error) { return 0, errNotLinux }

func selfCPU() time.Duration { return 0 }

func machineBusy() (time.Duration, error) { return 0, errNotLinux }
