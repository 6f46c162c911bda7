# Versions: created, read, changed while drafts, published, deleted.

.FORMAT <- "id filename size sha256 contentType downloadUrl uploadedAt"
.VERSION <- paste(
  "number status description tags hyperparameters config records { uri name }",
  sprintf("formats { %s }", .FORMAT),
  "aliases createdAt createdBy publishedAt publishedBy updatedAt"
)

.as_version <- function(model, node) {
  node$tags <- .chr(node$tags)
  node$aliases <- .chr(node$aliases)
  node$hyperparameters <- .simplify(node$hyperparameters)
  node$config <- .simplify(node$config)
  formats <- node$formats %||% list()
  node$formats <- stats::setNames(formats, vapply(formats, function(f) f$id, ""))
  node$model <- model
  structure(node, class = "cairn_version")
}

.model_of <- function(version) {
  if (!inherits(version, "cairn_version")) .refuse("VALIDATION", "expected a version from cairn_version() or cairn_create_version()")
  version$model
}

.asked <- function(version, ...) list(model = version$model$name, version = version$number, ...)

# Dataset records: URIs, list(uri =, name =) each, or a data frame with uri and name columns.
.records <- function(records) {
  if (is.null(records) || length(records) == 0L) return(list())
  if (is.data.frame(records)) records <- lapply(seq_len(nrow(records)), function(i) as.list(records[i, , drop = FALSE]))
  if (is.character(records)) return(lapply(records, function(uri) list(uri = uri)))
  if (is.list(records) && !is.null(names(records)) && !is.null(records$uri)) records <- list(records)
  lapply(records, function(r) if (is.character(r) && length(r) == 1L) list(uri = r) else r)
}

cairn_create_version <- function(model, description = NULL, tags = character(), hyperparameters = list(), config = list(), records = character()) {
  cn <- .connection_of(model)
  query <- sprintf(
    "mutation ($input: CreateVersionInput!) { createVersion(input: $input) { __typename ... on CreateVersionSuccess { version { %s } } %s } }",
    .VERSION, .ERROR
  )
  input <- list(
    modelId = model$id, description = description, tags = I(as.character(tags)),
    hyperparameters = .object(hyperparameters, "hyperparameters"), config = .object(config, "config"), records = .records(records)
  )
  .as_version(model, .mutate(cn, "createVersion", query, list(input = input), asked = list(model = model$name))$version)
}

cairn_version <- function(model, number = NULL, alias = NULL) {
  cn <- .connection_of(model)
  if (!is.null(number) && !is.null(alias)) .refuse("VALIDATION", "give a version's number or an alias, not both")
  if (!is.null(number) && (!is.numeric(number) || length(number) != 1L || is.na(number) || number != round(number))) {
    .refuse("VALIDATION", "number must be one whole number")
  }
  if (!is.null(alias) && !.is_string(alias)) .refuse("VALIDATION", "alias must be one string")
  if (is.null(number) && is.null(alias)) {
    data <- cairn_graphql(cn, sprintf("query ($id: ID!) { model(id: $id) { latestVersion { %s } } }", .VERSION), list(id = model$id))$model
    if (is.null(data) || is.null(data$latestVersion)) stop(.not_found(cn, list(model = model$name, latest = !is.null(data))))
    return(.as_version(model, data$latestVersion))
  }
  data <- cairn_graphql(cn, sprintf("query ($id: ID!, $n: Int, $a: String) { model(id: $id) { version(number: $n, alias: $a) { %s } } }", .VERSION),
    list(id = model$id, n = if (!is.null(number)) as.integer(number), a = alias))$model
  if (is.null(data) || is.null(data$version)) {
    stop(.not_found(cn, if (is.null(data)) list(model = model$name) else if (is.null(alias)) list(model = model$name, version = as.integer(number)) else list(model = model$name, alias = alias)))
  }
  .as_version(model, data$version)
}

# Every node of one of a model's connections (versions, history), page by page; NOT_FOUND when the model is gone.
.model_pages <- function(model, field, selection) {
  cn <- .connection_of(model)
  query <- sprintf(paste(
    "query ($id: ID!, $after: String) { model(id: $id) { %s(first: 100, after: $after)",
    "{ pageInfo { hasNextPage endCursor } edges { node { %s } } } } }"
  ), field, selection)
  .pages(cn, query, list(id = model$id), c("model", field), missing = .not_found(cn, list(model = model$name)))
}

cairn_versions <- function(model) {
  nodes <- .model_pages(model, "versions", .VERSION)
  nodes <- lapply(nodes, function(node) {
    node$formats <- .chr(lapply(node$formats, function(f) f$id))
    node
  })
  .frame(nodes, list(
    number = "integer", status = "character", description = "character", tags = "list", formats = "list", aliases = "list",
    hyperparameters = "list", config = "list", createdAt = "character", createdBy = "character", publishedAt = "character"
  ))
}

cairn_update_version <- function(version, ...) {
  model <- .model_of(version)
  settings <- list(...)
  allowed <- c("description", "tags", "hyperparameters", "config", "records")
  if (length(settings) == 0L || is.null(names(settings)) || !all(names(settings) %in% allowed)) {
    .refuse("VALIDATION", paste("cairn_update_version() changes", paste(allowed, collapse = ", "), "given by name"))
  }
  if ("tags" %in% names(settings)) settings$tags <- I(as.character(settings$tags))
  for (field in intersect(c("hyperparameters", "config"), names(settings))) settings[[field]] <- .object(settings[[field]], field)
  if ("records" %in% names(settings)) settings$records <- .records(settings$records)
  query <- sprintf(
    "mutation ($input: UpdateVersionInput!) { updateVersion(input: $input) { __typename ... on UpdateVersionSuccess { version { %s } } %s } }",
    .VERSION, .ERROR
  )
  input <- c(list(modelId = model$id, number = version$number), settings)
  .as_version(model, .mutate(.connection_of(model), "updateVersion", query, list(input = input), asked = .asked(version))$version)
}

cairn_publish <- function(version) {
  model <- .model_of(version)
  query <- sprintf(
    "mutation ($id: ID!, $n: Int!) { publishVersion(modelId: $id, number: $n) { __typename ... on PublishVersionSuccess { version { %s } } %s } }",
    .VERSION, .ERROR
  )
  .as_version(model, .mutate(.connection_of(model), "publishVersion", query, list(id = model$id, n = version$number), asked = .asked(version))$version)
}

cairn_delete_version <- function(version) {
  model <- .model_of(version)
  query <- sprintf(
    "mutation ($id: ID!, $n: Int!) { deleteVersion(modelId: $id, number: $n) { __typename ... on VersionAliasedError { aliases } %s } }",
    .ERROR
  )
  .mutate(.connection_of(model), "deleteVersion", query, list(id = model$id, n = version$number), asked = .asked(version))
  invisible(NULL)
}

.EVENT <- paste(
  "__typename id position type recordedAt actor modelId",
  "... on ModelCreatedEvent { name description tags }",
  "... on ModelUpdatedEvent { changed }",
  "... on VersionCreatedEvent { number } ... on VersionUpdatedEvent { number changed }",
  "... on VersionPublishedEvent { number } ... on VersionDeletedEvent { number }",
  "... on FormatUploadedEvent { number format sha256 size filename } ... on FormatDeletedEvent { number format }",
  "... on EvaluationRecordedEvent { number evaluationId dataset { uri } metrics }",
  "... on AliasSetEvent { alias number previousNumber } ... on AliasRemovedEvent { alias number }"
)

cairn_history <- function(model) {
  nodes <- .model_pages(model, "history", .EVENT)
  frame <- .frame(nodes, list(
    position = "character", type = "character", number = "integer", format = "character", alias = "character",
    recordedAt = "character", actor = "character", id = "character"
  ))
  # Each event's own fields (an upload's sha256 and size, an update's `changed`, an evaluation's metrics).
  own <- c("__typename", "id", "position", "type", "recordedAt", "actor", "modelId", "number", "format", "alias")
  frame$details <- I(lapply(nodes, function(node) node[setdiff(names(node), own)]))
  frame
}

print.cairn_version <- function(x, ...) {
  formats <- names(x$formats)
  cat(sprintf("<cairn version %d of model %s: %s, %s%s>\n", as.integer(x$number), .quoted(x$model$name), x$status,
    if (length(formats)) paste("formats", paste(formats, collapse = " ")) else "no files",
    if (length(x$aliases)) paste0(", aliases ", paste(x$aliases, collapse = " ")) else ""))
  if (!is.null(x$description)) cat(strwrap(x$description, prefix = "  "), sep = "\n")
  invisible(x)
}
