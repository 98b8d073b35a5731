-- A fixed GET (the path and query are in the URL wrk is given) with the bearer token.
dofile("common.lua")
