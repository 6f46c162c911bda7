# How R values become JSON (no server needed).

json <- function(x) cairn:::.json(x)

test_that("doubles keep every bit, with the fewest digits", {
  expect_equal(json(0.1 + 0.2), "0.30000000000000004")
  expect_equal(json(0.1), "0.1")
  expect_equal(json(64), "64")
  expect_equal(json(1e21), "1e+21")
  expect_identical(jsonlite::parse_json(json(pi)), pi)
  expect_equal(json(NA_real_), "null")
})

test_that("one element is a scalar unless I() keeps it an array; names make objects", {
  expect_equal(json(list(tags = I("a"), n = 1L, ok = TRUE)), "{\"tags\":[\"a\"],\"n\":1,\"ok\":true}")
  expect_equal(json(c(auc = 0.9, f1 = 0.8)), "{\"auc\":0.9,\"f1\":0.8}")
  expect_equal(json(list()), "[]")
  expect_equal(json(structure(list(), names = character())), "{}")
  expect_equal(json(list(a = NULL, b = NA)), "{\"a\":null,\"b\":null}")
  expect_equal(json(factor("x")), "\"x\"")
  expect_equal(json("quote \" backslash \\ newline \n \u00e9"), "\"quote \\\" backslash \\\\ newline \\n \u00e9\"")
})

test_that("what JSON cannot hold is refused as VALIDATION", {
  for (bad in list(NaN, Inf, -Inf, c(1, NaN), "caf\xe9", list(f = sum), as.raw(1), 1i, list(1, b = 2))) {
    refusal(json(bad), "VALIDATION")
  }
  deep <- list()
  for (i in 1:200) deep <- list(deep)
  refusal(json(deep), "VALIDATION")
})

test_that("a connection needs a URL and a token, and prints neither the token nor its state", {
  withr::local_envvar(CAIRN_URL = "", CAIRN_TOKEN = "")
  refusal(cairn_connect(), "VALIDATION")
  refusal(cairn_connect("ftp://example.org", "t"), "VALIDATION")
  refusal(cairn_connect("http://example.org"), "VALIDATION")
  cn <- cairn_connect("http://example.org/graphql/", "cairn_secret_value")
  expect_equal(cn$url, "http://example.org")
  expect_false(any(grepl("cairn_secret_value", c(capture.output(print(cn)), capture.output(str(cn))), fixed = TRUE)))
  refusal(cairn_model(list(), "x"), "VALIDATION")
})
