# Models: looked up, listed, created.

.MODEL <- "id name description tags versionCount createdAt createdBy updatedAt"
.ERROR <- "... on Error { code message }"

.as_model <- function(cn, node) {
  node$tags <- .chr(node$tags)
  structure(node, class = "cairn_model", cairn_connection = cn)
}

.connection_of <- function(model) {
  if (!inherits(model, "cairn_model")) .refuse("VALIDATION", "expected a model from cairn_model() or cairn_create_model()")
  attr(model, "cairn_connection")
}

# Every node of a connection, page by page. `field` is reached by `path` from the query's data.
.pages <- function(cn, query, variables, path, missing = NULL) {
  found <- list()
  after <- NULL
  repeat {
    data <- cairn_graphql(cn, query, c(variables, list(after = after)))
    for (step in path) {
      data <- data[[step]]
      if (is.null(data)) stop(missing %||% .refusal("NOT_FOUND", "not found"))
    }
    found <- c(found, lapply(data$edges, function(edge) edge$node))
    if (!isTRUE(data$pageInfo$hasNextPage)) return(found)
    after <- data$pageInfo$endCursor
  }
}

.model_node <- function(cn, key, value) {
  query <- sprintf("query ($v: %s) { model(%s: $v) { %s } }", if (key == "id") "ID" else "String", key, .MODEL)
  cairn_graphql(cn, query, list(v = value))$model
}

cairn_model <- function(cn, id_or_name) {
  .check_connection(cn)
  if (!.is_string(id_or_name)) .refuse("VALIDATION", "id_or_name must be one string: a model's id or its name")
  by_id <- grepl(.UUID, id_or_name)
  node <- .model_node(cn, if (by_id) "id" else "name", id_or_name)
  if (is.null(node)) stop(.not_found(cn, if (by_id) list(model_id = id_or_name) else list(model = id_or_name)))
  .as_model(cn, node)
}

cairn_models <- function(cn, search = NULL, tags = NULL) {
  .check_connection(cn)
  query <- sprintf(paste(
    "query ($after: String, $search: String, $tags: [String!]) { models(first: 100, after: $after, search: $search, tags: $tags)",
    "{ pageInfo { hasNextPage endCursor } edges { node { %s } } } }"
  ), .MODEL)
  nodes <- .pages(cn, query, list(search = search, tags = if (!is.null(tags)) I(as.character(tags))), "models")
  .frame(nodes, list(
    id = "character", name = "character", description = "character", tags = "list", versionCount = "integer",
    createdAt = "character", createdBy = "character", updatedAt = "character"
  ))
}

# A data frame of nodes, one row each: the columns named, of the types given ("list" for a list column).
.frame <- function(nodes, columns) {
  out <- lapply(names(columns), function(name) {
    type <- columns[[name]]
    values <- lapply(nodes, function(node) node[[name]])
    if (type == "list") return(I(lapply(values, function(v) if (is.list(v) && is.null(names(v))) .chr(v) else v)))
    missing <- switch(type, character = NA_character_, integer = NA_integer_, double = NA_real_, logical = NA)
    vapply(values, function(v) if (is.null(v)) missing else match.fun(paste0("as.", type))(v), missing)
  })
  names(out) <- names(columns)
  as.data.frame(out, stringsAsFactors = FALSE, optional = TRUE)
}

cairn_create_model <- function(cn, name, tags = character(), description = NULL, exist_ok = FALSE) {
  .check_connection(cn)
  if (!.is_string(name)) .refuse("VALIDATION", "name must be one string")
  query <- sprintf(
    "mutation ($input: CreateModelInput!) { createModel(input: $input) { __typename ... on CreateModelSuccess { model { %s } } %s } }",
    .MODEL, .ERROR
  )
  variables <- list(input = list(name = name, description = description, tags = I(as.character(tags))))
  taken <- NULL
  for (attempt in 1:3) {
    made <- tryCatch(.mutate(cn, "createModel", query, variables)$model, cairn_error = function(e) e)
    if (!inherits(made, "cairn_error")) return(.as_model(cn, made))
    if (!isTRUE(exist_ok) || !identical(made$code, "NAME_TAKEN")) stop(made)
    taken <- made
    # The model that has the name (compared as the server compares names); gone again by now means the name is
    # free, and creating is tried again.
    node <- .model_node(cn, "name", name)
    if (!is.null(node)) return(.as_model(cn, node))
  }
  stop(taken)
}

cairn_delete_model <- function(model) {
  cn <- .connection_of(model)
  .mutate(cn, "deleteModel", sprintf("mutation ($id: ID!) { deleteModel(id: $id) { __typename %s } }", .ERROR),
    list(id = model$id), asked = list(model = model$name))
  invisible(NULL)
}

print.cairn_model <- function(x, ...) {
  cat(sprintf("<cairn model %s (%s): %d version%s%s>\n", .quoted(x$name), x$id, as.integer(x$versionCount %||% 0L),
    if (identical(as.integer(x$versionCount), 1L)) "" else "s",
    if (length(x$tags)) paste0(", tags ", paste(vapply(x$tags, .quoted, ""), collapse = " ")) else ""))
  if (!is.null(x$description)) cat(strwrap(x$description, prefix = "  "), sep = "\n")
  invisible(x)
}
