# From training to deployment: evaluations, comparison of versions, aliases.

.EVALUATION <- "id dataset { uri name } metrics notes recordedAt recordedBy"

.dataset <- function(dataset) {
  if (is.character(dataset) && length(dataset) %in% 1:2 && !anyNA(dataset)) {
    return(if (length(dataset) == 1L) list(uri = dataset) else list(uri = dataset[[1]], name = dataset[[2]]))
  }
  if (is.list(dataset) && !is.null(dataset$uri)) return(dataset[intersect(names(dataset), c("uri", "name"))])
  .refuse("VALIDATION", "dataset must be a URI (\"s3://data/holdout.csv\"), c(uri, name), or list(uri =, name =)")
}

.as_evaluation <- function(node) {
  node$metrics <- .simplify(node$metrics %||% structure(list(), names = character()))
  node
}

cairn_record_evaluation <- function(version, dataset, metrics, notes = NULL) {
  model <- .model_of(version)
  query <- sprintf(
    "mutation ($input: RecordEvaluationInput!) { recordEvaluation(input: $input) { __typename ... on RecordEvaluationSuccess { evaluation { %s } } %s } }",
    .EVALUATION, .ERROR
  )
  input <- list(modelId = model$id, number = version$number, dataset = .dataset(dataset), metrics = .object(metrics, "metrics"), notes = notes)
  .as_evaluation(.mutate(.connection_of(model), "recordEvaluation", query, list(input = input), asked = .asked(version))$evaluation)
}

cairn_evaluations <- function(version) {
  model <- .model_of(version)
  cn <- .connection_of(model)
  data <- cairn_graphql(cn, sprintf("query ($id: ID!, $n: Int!) { model(id: $id) { version(number: $n) { evaluations { %s } } } }", .EVALUATION),
    list(id = model$id, n = version$number))$model
  if (is.null(data) || is.null(data$version)) stop(.not_found(cn, .asked(version)))
  nodes <- lapply(data$version$evaluations, function(node) {
    node$dataset <- node$dataset$uri
    node
  })
  .frame(nodes, list(id = "character", dataset = "character", metrics = "list", notes = "character", recordedAt = "character", recordedBy = "character"))
}

cairn_compare <- function(model, numbers) {
  cn <- .connection_of(model)
  numbers <- vapply(if (is.list(numbers)) numbers else as.list(numbers), function(n) as.integer(if (inherits(n, "cairn_version")) n$number else n), 0L)
  query <- paste(
    "query ($id: ID!, $numbers: [Int!]!) { model(id: $id) { comparison(numbers: $numbers)",
    "{ versions { number } rows { section key dataset values differs } } } }"
  )
  data <- tryCatch(cairn_graphql(cn, query, list(id = model$id, numbers = I(numbers)))$model, cairn_error = function(e) {
    if (identical(e$code, "NOT_FOUND") && !is.null(e$extensions$number)) {
      stop(.not_found(cn, list(model = model$name, version = e$extensions$number), e$status, e$extensions))
    }
    stop(e)
  })
  if (is.null(data)) stop(.not_found(cn, list(model = model$name)))
  rows <- data$comparison$rows
  frame <- data.frame(
    section = vapply(rows, function(r) r$section, ""),
    key = vapply(rows, function(r) r$key, ""),
    dataset = vapply(rows, function(r) r$dataset %||% NA_character_, ""),
    stringsAsFactors = FALSE
  )
  # One column per version, in the order asked: numbers where every value is a number (NA where missing), else a
  # list column of the values as they are.
  for (i in seq_along(numbers)) {
    values <- lapply(rows, function(r) r$values[[i]])
    plain <- all(vapply(values, function(v) is.null(v) || (is.numeric(v) && length(v) == 1L), TRUE))
    frame[[paste0("v", numbers[[i]])]] <- if (plain) vapply(values, function(v) if (is.null(v)) NA_real_ else as.numeric(v), 0) else I(values)
  }
  frame$differs <- vapply(rows, function(r) isTRUE(r$differs), TRUE)
  frame
}

.alias_number <- function(number) {
  if (inherits(number, "cairn_version")) return(as.integer(number$number))
  if (!is.numeric(number) || length(number) != 1L || is.na(number)) .refuse("VALIDATION", "number must be a version's number, or a version")
  as.integer(number)
}

cairn_set_alias <- function(model, alias, number) {
  cn <- .connection_of(model)
  number <- .alias_number(number)
  query <- paste(
    "mutation ($input: SetAliasInput!) { setAlias(input: $input) { __typename",
    "... on SetAliasSuccess { alias { name version { number } setAt setBy } } ... on VersionNotPublishedError { number }", .ERROR, "} }"
  )
  result <- .mutate(cn, "setAlias", query, list(input = list(modelId = model$id, alias = alias, number = number)),
    asked = list(model = model$name, version = number))$alias
  list(name = result$name, number = result$version$number, setAt = result$setAt, setBy = result$setBy)
}

cairn_remove_alias <- function(model, alias) {
  cn <- .connection_of(model)
  .mutate(cn, "removeAlias", sprintf("mutation ($id: ID!, $a: String!) { removeAlias(modelId: $id, alias: $a) { __typename %s } }", .ERROR),
    list(id = model$id, a = alias), asked = list(model = model$name, alias = alias))
  invisible(NULL)
}

cairn_aliases <- function(model) {
  cn <- .connection_of(model)
  data <- cairn_graphql(cn, "query ($id: ID!) { model(id: $id) { aliases { name version { number } } } }", list(id = model$id))$model
  if (is.null(data)) stop(.not_found(cn, list(model = model$name)))
  stats::setNames(vapply(data$aliases, function(a) as.integer(a$version$number), 0L), vapply(data$aliases, function(a) a$name, ""))
}
