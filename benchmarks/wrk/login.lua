-- POST /auth/login with a real account: the full bcrypt cost on every request.
dofile("benchmarks/wrk/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "username=" .. os.getenv("WRK_EMAIL") .. "&password=" .. os.getenv("WRK_PASSWORD")
