module contend/go

go 1.19
