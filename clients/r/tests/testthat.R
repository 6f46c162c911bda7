# Runs against the Cairn server that CAIRN_URL and CAIRN_TOKEN (an administrator's token) name; npm test starts one.
# Without CAIRN_URL the tests that need a server are skipped, and the rest run.
library(testthat)
library(cairn)

test_check("cairn")
