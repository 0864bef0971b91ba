-- A GET of the URL given to wrk, with the bearer token in WRK_TOKEN if set.
dofile("benchmarks/wrk/common.lua")
