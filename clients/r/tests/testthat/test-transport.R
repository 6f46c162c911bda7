# What only a server of the test's own making can show: a download that is not what was recorded, repeats with
# the same idempotency key, a response that is not JSON. (Forking needs a Unix.)

test_that("a download whose sha256 is not the recorded one is refused, and leaves no file", {
  skip_on_os("windows")
  fake <- fake_server(rep(list(http_response("200 OK", "hello", c(`X-Checksum-Sha256` = strrep("0", 64)))), 2))
  version <- fake_version(fake$url)
  mismatch <- refusal(cairn_download(version, "pkl"), "CHECKSUM_MISMATCH")
  expect_match(conditionMessage(mismatch), strrep("0", 64), fixed = TRUE)
  path <- tempfile()
  refusal(cairn_download(version, "pkl", path), "CHECKSUM_MISMATCH")
  expect_false(file.exists(path))
  expect_false(file.exists(paste0(path, ".part")))
  requests <- fake_requests(fake)
  expect_equal(requests[[1]][[1]], "GET /files/11111111-1111-4111-8111-111111111111/1/pkl HTTP/1.1")
  expect_true("Authorization: Bearer cairn_fake_token" %in% requests[[1]])
  expect_true("X-Cairn-Context: default" %in% requests[[1]])
})

test_that("a mutation refused as retryable is repeated with the same idempotency key, and succeeds", {
  skip_on_os("windows")
  busy <- http_response("503 Service Unavailable", "{\"errors\":[{\"message\":\"busy\",\"extensions\":{\"code\":\"SERVICE_UNAVAILABLE\",\"retryable\":true}}]}")
  done <- http_response("200 OK", "{\"data\":{\"deleteVersion\":{\"__typename\":\"DeleteVersionSuccess\"}}}")
  fake <- fake_server(list(busy, busy, done))
  expect_null(cairn_delete_version(fake_version(fake$url)))
  requests <- fake_requests(fake)
  expect_equal(length(requests), 3L)
  keys <- vapply(requests, function(head) sub("^Idempotency-Key: ", "", grep("^Idempotency-Key: ", head, value = TRUE)), "")
  expect_equal(length(unique(keys)), 1L)
  expect_match(keys[[1]], "^[0-9a-f-]{36}$")
})

test_that("an answer that is not JSON is BAD_RESPONSE; an unknown outcome is repeated, then signalled", {
  skip_on_os("windows")
  unknown <- "{\"errors\":[{\"message\":\"The outcome is unknown\",\"extensions\":{\"code\":\"OUTCOME_UNKNOWN\",\"outcomeUnknown\":true}}]}"
  fake <- fake_server(list(http_response("200 OK", "<html>a proxy</html>"), http_response("503 Service Unavailable", unknown),
    http_response("503 Service Unavailable", unknown)))
  version <- fake_version(fake$url)
  refusal(cairn_versions(version$model), "BAD_RESPONSE")
  cn <- attr(version$model, "cairn_connection")
  cn$retries <- 1L
  attr(version$model, "cairn_connection") <- cn
  gone <- refusal(cairn_delete_version(version), "OUTCOME_UNKNOWN")
  expect_equal(gone$status, 503L)
  expect_true(gone$outcomeUnknown)
  expect_equal(length(fake_requests(fake)), 3L)
})
