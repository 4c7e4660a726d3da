package fps

import (
	"testing"

	"go.etcd.io/gofail/runtime"
)

// The cost of gofail's site (Acquire) for docs/benchmarks.md, run by
// `BENCH=1 scripts/gofail-compare.sh`: disabled, disabled from two goroutines, enabled return(1).
var (
	benchOff = runtime.NewFailpoint("BenchOff")
	benchOn  = runtime.NewFailpoint("BenchOn")
)

func BenchmarkAcquireDisabled(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if v, err := benchOff.Acquire(); err == nil {
			_ = v
		}
	}
}

// ns/op is wall time per operation over both goroutines: a goroutine's own cost is about twice.
func BenchmarkAcquireDisabledParallel(b *testing.B) {
	b.SetParallelism(1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if v, err := benchOff.Acquire(); err == nil {
				_ = v
			}
		}
	})
}

func BenchmarkAcquireEnabledReturn(b *testing.B) {
	if err := runtime.Enable("BenchOn", "return(1)"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if v, err := benchOn.Acquire(); err == nil {
			_ = v.(int)
		}
	}
}
