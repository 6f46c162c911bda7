# From training to deployment: evaluations, comparison, aliases, downloads by alias.

given_published <- function(model, hyperparameters, payload) {
  version <- cairn_create_version(model, hyperparameters = hyperparameters)
  version <- cairn_upload(version, "pkl", payload)
  cairn_publish(version)
}

test_that("evaluations are recorded on drafts and published versions alike, in order", {
  needs_server()
  model <- cairn_create_model(admin(), unique_name())
  version <- given_published(model, list(lr = 0.1), as.raw(1:4))
  first <- cairn_record_evaluation(version, "s3://data/holdout.csv", c(auc = 0.91, f1 = 0.8))
  expect_equal(first$metrics, list(auc = 0.91, f1 = 0.8))
  expect_equal(first$dataset$uri, "s3://data/holdout.csv")
  second <- cairn_record_evaluation(version, list(uri = "s3://data/q3.csv", name = "third quarter"), list(auc = 0.88), notes = "drift")
  expect_equal(second$dataset$name, "third quarter")
  expect_equal(second$notes, "drift")
  evaluations <- cairn_evaluations(version)
  expect_equal(evaluations$id, c(first$id, second$id))
  expect_equal(evaluations$dataset, c("s3://data/holdout.csv", "s3://data/q3.csv"))
  expect_equal(evaluations$metrics[[1]]$f1, 0.8)
  expect_equal(tail(cairn_history(model)$type, 2), c("EvaluationRecorded", "EvaluationRecorded"))
})

test_that("cairn_compare puts versions side by side as a data frame, in the order asked", {
  needs_server()
  model <- cairn_create_model(admin(), unique_name())
  one <- given_published(model, list(lr = 0.1, depth = 6, optimizer = list(name = "adam")), as.raw(1))
  two <- given_published(model, list(lr = 0.05, depth = 6, optimizer = list(name = "sgd")), as.raw(2))
  cairn_record_evaluation(one, "s3://holdout", c(auc = 0.9))
  cairn_record_evaluation(two, "s3://holdout", c(auc = 0.93))
  compared <- cairn_compare(model, c(2, 1))
  expect_s3_class(compared, "data.frame")
  expect_equal(names(compared), c("section", "key", "dataset", "v2", "v1", "differs"))
  # Rows of numbers and of text share the columns: a list column, one value a cell.
  expect_type(compared$v2, "list")
  lr <- compared[compared$key == "lr", ]
  expect_equal(c(lr$v2[[1]], lr$v1[[1]]), c(0.05, 0.1))
  expect_true(lr$differs)
  depth <- compared[compared$key == "depth", ]
  expect_false(depth$differs)
  optimizer <- compared[compared$key == "optimizer.name", ]
  expect_equal(c(optimizer$v2[[1]], optimizer$v1[[1]]), c("sgd", "adam"))
  auc <- compared[compared$section == "METRICS", ]
  expect_equal(auc$key, "auc")
  expect_equal(auc$dataset, "s3://holdout")
  expect_equal(c(auc$v2[[1]], auc$v1[[1]]), c(0.93, 0.9))
  # Versions given as objects, and a number that is no live version named in the refusal.
  expect_equal(names(cairn_compare(model, list(one, two)))[4:5], c("v1", "v2"))
  missing <- refusal(cairn_compare(model, c(1, 9)), "NOT_FOUND")
  expect_match(conditionMessage(missing), "No version 9 of model", fixed = TRUE)
})

test_that("an alias is set, moved and removed; the version it names is what a deployment reads", {
  needs_server()
  model <- cairn_create_model(admin(), unique_name())
  one <- given_published(model, list(lr = 0.1), as.raw(c(1, 1, 1)))
  two <- given_published(model, list(lr = 0.2), as.raw(c(2, 2, 2)))
  set <- cairn_set_alias(model, "production", 1)
  expect_equal(set$name, "production")
  expect_equal(set$number, 1L)
  expect_equal(set$setBy, "admin")
  expect_equal(cairn_version(model, alias = "production")$number, 1L)
  expect_identical(cairn_download(cairn_version(model, alias = "production"), "pkl"), as.raw(c(1, 1, 1)))
  cairn_set_alias(model, "production", two)
  cairn_set_alias(model, "staging", 1)
  expect_equal(cairn_aliases(model), c(production = 2L, staging = 1L))
  production <- cairn_version(model, alias = "production")
  expect_equal(production$number, 2L)
  expect_equal(production$aliases, "production")
  expect_identical(cairn_download(production, "pkl"), as.raw(c(2, 2, 2)))
  types <- cairn_history(model)$type
  expect_equal(sum(types == "AliasSet"), 3L)
  cairn_remove_alias(model, "staging")
  expect_equal(cairn_aliases(model), c(production = 2L))
  expect_equal(cairn_history(model)$alias[length(types) + 1L], "staging")
  refusal(cairn_version(model, alias = "staging"), "NOT_FOUND")
  refusal(cairn_version(model, number = 1, alias = "production"), "VALIDATION")
})

test_that("mutations carry a fresh idempotency key each; queries carry none", {
  needs_server()
  cn <- admin()
  seen <- new.env()
  seen$keys <- list()
  suppressMessages(trace(".handle", where = asNamespace("cairn"), print = FALSE,
    tracer = bquote(assign("keys", c(get("keys", envir = .(seen)), list(unname(extra["Idempotency-Key"]))), envir = .(seen)))))
  on.exit(suppressMessages(untrace(".handle", where = asNamespace("cairn"))))
  model <- cairn_create_model(cn, unique_name())
  version <- cairn_upload(cairn_create_version(model), "pkl", as.raw(7))
  cairn_versions(model)
  keys <- unlist(seen$keys)
  expect_equal(length(seen$keys), 4L)
  expect_match(keys[1:3], "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
  expect_equal(length(unique(keys[1:3])), 3L)
  expect_true(is.na(keys[[4]]))
})
