module gofailcompare/driver

go 1.19
