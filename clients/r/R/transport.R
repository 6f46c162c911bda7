# HTTP, JSON and conditions: everything that talks to the server goes through here.

.UUID <- "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
.QUOTED_MAX <- 200L
.MAX_DEPTH <- 100L

`%||%` <- function(a, b) if (is.null(a)) b else a

.is_string <- function(x) is.character(x) && length(x) == 1L && !is.na(x)

# Conditions -------------------------------------------------------------------------------------------------------

# A refusal: class c("cairn_error", "error", "condition"), with the server's code, its message, the HTTP status and
# the error's other fields (VERSION_ALIASED's `aliases`) both in `extensions` and as fields of their own.
.refusal <- function(code, message, status = NULL, extensions = list(), class = character()) {
  fields <- list(message = message, call = NULL, code = code, status = status, extensions = extensions)
  for (name in setdiff(names(extensions), names(fields))) fields[[name]] <- extensions[[name]]
  structure(fields, class = c(class, "cairn_error", "error", "condition"))
}

.refuse <- function(code, message, ...) stop(.refusal(code, message, ...))

# A transport failure: the server could not be reached, or the connection broke before an answer came.
.unreachable <- function(cn, reason) {
  .refusal("UNREACHABLE", sprintf("cannot reach Cairn at %s: %s", cn$url, reason), class = "cairn_unreachable")
}

# A name as a message shows it: double-quoted, escaped, cut short.
.quoted <- function(x) {
  x <- as.character(x)
  if (!validUTF8(x)) x <- iconv(x, "UTF-8", "UTF-8", sub = "byte")
  if (nchar(x) > .QUOTED_MAX) x <- paste0(substr(x, 1L, .QUOTED_MAX), "...")
  encodeString(x, quote = "\"")
}

# NOT_FOUND, worded as the other clients word it: `No version 3 of model "churn" in context "research"`.
.not_found <- function(cn, asked = list(), status = NULL, extensions = list()) {
  context <- .context_label(cn)
  if (is.null(asked[["model"]]) && is.null(asked[["model_id"]])) {
    message <- if (!is.null(context)) paste("No context", .quoted(context)) else paste0(
      "No context given, and none to fall back on (this token has no single context, and none named \"default\"): ",
      "name one with cairn_connect(context = ...)")
  } else {
    what <- if (!is.null(asked[["model"]])) paste("model", .quoted(asked[["model"]])) else paste("model with id", .quoted(asked[["model_id"]]))
    if (!is.null(asked[["version"]])) {
      what <- sprintf("version %s of %s", asked[["version"]], what)
    } else if (!is.null(asked[["alias"]])) {
      what <- sprintf("alias %s of %s", .quoted(asked[["alias"]]), what)
    } else if (isTRUE(asked[["latest"]])) {
      what <- paste("version of", what)
    }
    if (!is.null(asked[["format"]])) what <- sprintf("format %s of %s", .quoted(asked[["format"]]), what)
    message <- paste0("No ", what, if (!is.null(context)) paste(" in context", .quoted(context)) else "")
  }
  .refusal("NOT_FOUND", message, status, extensions)
}

# The context a NOT_FOUND message names: as given, else as the server names the one it chose (NULL if unknown).
.context_label <- function(cn) {
  if (!is.null(cn$context)) return(cn$context)
  state <- cn$state
  if (is.null(state$context_name)) {
    state$context_name <- tryCatch(
      cairn_graphql(cn, "query { me { context { name } } }")$me$context$name,
      error = function(e) NULL
    )
  }
  state$context_name
}

# JSON -------------------------------------------------------------------------------------------------------------

# R values to JSON, written here rather than by jsonlite::toJSON, which rounds doubles to 15 significant digits
# (0.1 + 0.2 would be stored as 0.3) and turns a one-element vector into a scalar or not by a global switch.
# Here a double is written with the fewest digits that read back as the same number; a vector of length one is a
# scalar unless wrapped in I(); a named list or a named vector is an object, an unnamed one an array; list() is [],
# and NULL and NA are null. NaN, infinite numbers, text that is not UTF-8, functions and the like are refused.
.json <- function(x, depth = 0L) {
  if (depth > .MAX_DEPTH) .refuse("VALIDATION", sprintf("values nested more than %d levels deep cannot be sent", .MAX_DEPTH))
  if (is.null(x)) return("null")
  if (is.factor(x)) x <- structure(as.character(x), names = names(x), class = if (inherits(x, "AsIs")) "AsIs")
  keys <- names(x)
  if (is.list(x)) {
    items <- vapply(seq_along(x), function(i) .json(x[[i]], depth + 1L), "")
    if (is.null(keys)) return(paste0("[", paste(items, collapse = ","), "]"))
    return(.json_object(keys, items))
  }
  if (!is.atomic(x) || is.complex(x) || is.raw(x)) {
    .refuse("VALIDATION", sprintf("a value of type %s cannot be sent as JSON", typeof(x)))
  }
  items <- switch(typeof(x),
    logical = ifelse(is.na(x), "null", ifelse(x, "true", "false")),
    integer = ifelse(is.na(x), "null", as.character(x)),
    double = .json_numbers(x),
    character = .json_strings(x)
  )
  if (!is.null(keys)) return(.json_object(keys, items))
  if (length(x) == 1L && !inherits(x, "AsIs")) return(items)
  paste0("[", paste(items, collapse = ","), "]")
}

.json_object <- function(keys, items) {
  if (length(items) == 0L) return("{}")
  paste0("{", paste0(.json_keys(keys), ":", items, collapse = ","), "}")
}

.json_keys <- function(keys) {
  if (any(is.na(keys) | keys == "")) .refuse("VALIDATION", "every element of a named list or vector needs a name")
  .json_strings(keys)
}

.json_numbers <- function(x) {
  if (any(is.nan(x) | is.infinite(x))) {
    .refuse("VALIDATION", "NaN and infinite numbers cannot be sent: JSON has only finite numbers")
  }
  vapply(x, function(v) {
    if (is.na(v)) return("null")
    for (digits in 15:17) {
      text <- sprintf(paste0("%.", digits, "g"), v)
      if (as.numeric(text) == v) break
    }
    text
  }, "")
}

.json_strings <- function(x) {
  x <- as.character(x)
  # Text in a declared encoding (latin1, UTF-8) is converted; undeclared bytes must already be UTF-8.
  declared <- Encoding(x) %in% c("latin1", "UTF-8")
  if (any(Encoding(x) == "bytes") || !all(validUTF8(x[!declared & !is.na(x)]))) {
    .refuse("VALIDATION", "text that is not valid UTF-8 cannot be sent")
  }
  x <- enc2utf8(x)
  if (!all(validUTF8(x[!is.na(x)]))) .refuse("VALIDATION", "text that is not valid UTF-8 cannot be sent")
  # jsonlite escapes each string (quotes, backslashes, control characters) and writes NA as null.
  vapply(x, function(s) if (is.na(s)) "null" else as.character(jsonlite::toJSON(s, auto_unbox = TRUE)), "", USE.NAMES = FALSE)
}

.parse <- function(raw) {
  text <- rawToChar(raw)
  Encoding(text) <- "UTF-8"
  jsonlite::parse_json(text, simplifyVector = FALSE)
}

# A stored JSON value as R holds it: an array of numbers, strings or booleans (no nulls) is a vector (c(64, 32) comes
# back as c(64L, 32L)); objects are named lists, other arrays lists, each simplified in turn.
.simplify <- function(x) {
  if (!is.list(x) || length(x) == 0L) return(x)
  x <- lapply(x, .simplify)
  if (is.null(names(x))) {
    scalar <- vapply(x, function(v) is.atomic(v) && length(v) == 1L, TRUE)
    types <- unique(vapply(x, function(v) if (is.numeric(v)) "numeric" else typeof(v), ""))
    if (all(scalar) && length(types) == 1L) return(unlist(x))
  }
  x
}

# A JSON object for a field that must be one (hyperparameters, config, metrics): list() and NULL are {}, a named
# vector is its elements; anything without names is refused.
.object <- function(x, what) {
  if (is.null(x) || length(x) == 0L) return(structure(list(), names = character()))
  if (is.atomic(x) && !is.null(names(x))) x <- as.list(x)
  if (!is.list(x) || is.null(names(x))) .refuse("VALIDATION", sprintf("%s must be a named list", what))
  x
}

.chr <- function(x) if (length(x) == 0L) character() else vapply(x, function(s) if (is.null(s)) NA_character_ else as.character(s), "")

# HTTP -------------------------------------------------------------------------------------------------------------

.headers <- function(cn, extra = character()) {
  headers <- c(Authorization = paste("Bearer", cn$state$token), `User-Agent` = paste0("cairn-r/", .version()))
  if (!is.null(cn$context)) headers[["X-Cairn-Context"]] <- cn$context
  c(headers, extra)
}

# A sha256 as lower-case hex, of a raw vector or of a connection read to its end.
.sha256 <- function(x) as.vector(as.character(openssl::sha256(x)))

.version <- function() as.character(utils::packageVersion("cairn"))

.uuid <- function() {
  b <- as.integer(openssl::rand_bytes(16))
  b[7] <- bitwOr(bitwAnd(b[7], 0x0f), 0x40)
  b[9] <- bitwOr(bitwAnd(b[9], 0x3f), 0x80)
  h <- paste(sprintf("%02x", b), collapse = "")
  paste(substr(h, 1, 8), substr(h, 9, 12), substr(h, 13, 16), substr(h, 17, 20), substr(h, 21, 32), sep = "-")
}

# A curl handle with the connection's headers and timeouts; no redirect is followed.
.handle <- function(cn, extra = character()) {
  h <- curl::new_handle()
  curl::handle_setheaders(h, .list = as.list(.headers(cn, extra)))
  # A stall of `timeout` seconds (under 1 byte/s) ends a request; a large file takes as long as it needs.
  curl::handle_setopt(h, connecttimeout = 30L, low_speed_limit = 1L, low_speed_time = as.integer(cn$timeout), followlocation = 0L)
  h
}

.fetch <- function(cn, url, h, path = NULL) {
  tryCatch(
    if (is.null(path)) curl::curl_fetch_memory(url, handle = h) else curl::curl_fetch_disk(url, path, handle = h),
    error = function(e) stop(.unreachable(cn, conditionMessage(e)))
  )
}

.may_repeat <- function(error, keyed) {
  ext <- error$extensions
  isTRUE(ext$retryable) || (keyed && (isTRUE(ext$outcomeUnknown) || identical(error$code, "UNREACHABLE")))
}

# send(), repeated up to `retries` times with a growing pause while the failure says it may be (a retryable 503;
# with an idempotency key also an unknown outcome or an unreachable server, which the key makes safe to repeat).
.repeating <- function(cn, keyed, send) {
  attempt <- 0L
  repeat {
    result <- tryCatch(send(), cairn_error = function(e) e)
    if (!inherits(result, "cairn_error")) return(result)
    if (attempt >= cn$retries || !.may_repeat(result, keyed)) stop(result)
    Sys.sleep(min(2, 0.25 * 2^attempt))
    attempt <- attempt + 1L
  }
}

# The condition for an answer that is not a success. A 404 or NOT_FOUND from a file route is what was `asked` for.
.refusal_of <- function(cn, status, body, asked = NULL) {
  parsed <- tryCatch(.parse(body), error = function(e) NULL)
  ext <- list()
  message <- NULL
  code <- NULL
  if (is.list(parsed) && !is.null(names(parsed))) {
    if (length(parsed$errors) > 0L) {
      first <- parsed$errors[[1]]
      ext <- first$extensions %||% list()
      message <- first$message
    } else {
      message <- parsed[["error"]] %||% parsed[["message"]]
    }
    code <- ext[["code"]] %||% parsed[["code"]]
  }
  code <- code %||% sprintf("HTTP_%d", status)
  message <- message %||% sprintf("HTTP %d", status)
  if (identical(code, "NOT_FOUND") || (status == 404L && !is.null(asked))) return(.not_found(cn, asked %||% list(), status, ext))
  .refusal(code, message, status, ext)
}

cairn_graphql <- function(cn, query, variables = list()) {
  .check_connection(cn)
  if (!.is_string(query)) .refuse("VALIDATION", "query must be one string")
  body <- .json(list(query = query, variables = .object(variables, "variables")))
  keyed <- grepl("^\\s*mutation\\b", query, perl = TRUE)
  extra <- c(`Content-Type` = "application/json")
  if (keyed) extra[["Idempotency-Key"]] <- .uuid()
  .repeating(cn, keyed, function() {
    h <- .handle(cn, extra)
    curl::handle_setopt(h, post = TRUE, copypostfields = charToRaw(body))
    res <- .fetch(cn, paste0(cn$url, "/graphql"), h)
    .result(cn, res)
  })
}

.result <- function(cn, res) {
  if (res$status_code >= 300L) stop(.refusal_of(cn, res$status_code, res$content))
  payload <- tryCatch(.parse(res$content), error = function(e) {
    stop(.refusal("BAD_RESPONSE", sprintf("Cairn at %s answered something that is not JSON", cn$url), res$status_code))
  })
  if (length(payload$errors) > 0L) {
    first <- payload$errors[[1]]
    ext <- first$extensions %||% list()
    stop(.refusal(ext$code %||% "ERROR", first$message %||% "", res$status_code, ext))
  }
  payload$data
}

# A mutation's result field, its error result (a union member with `code`) signalled as a condition.
.mutate <- function(cn, field, query, variables, asked = NULL) {
  .checked(cn, cairn_graphql(cn, query, variables)[[field]], asked)
}

# A mutation's result, or its error member signalled: NOT_FOUND naming what was `asked` for, the error type's own
# fields (VERSION_ALIASED's `aliases`) as the condition's.
.checked <- function(cn, result, asked = NULL) {
  if (!is.null(result$code) && grepl("Error$", result$`__typename` %||% "")) {
    if (identical(result$code, "NOT_FOUND") && !is.null(asked)) stop(.not_found(cn, asked))
    fields <- result[setdiff(names(result), c("__typename", "code", "message"))]
    stop(.refusal(result$code, result$message, extensions = fields))
  }
  result
}

.check_connection <- function(cn) {
  if (!inherits(cn, "cairn_connection")) .refuse("VALIDATION", "the first argument must be a connection from cairn_connect()")
}

cairn_connect <- function(url = Sys.getenv("CAIRN_URL"), token = Sys.getenv("CAIRN_TOKEN"), context = NULL, retries = 3L, timeout = 300) {
  if (!.is_string(url) || !nzchar(url)) .refuse("VALIDATION", "No Cairn URL: give cairn_connect(url = ...) or set CAIRN_URL")
  if (!grepl("^https?://[^/]", url, ignore.case = TRUE)) .refuse("VALIDATION", "The Cairn URL must start with http:// or https://")
  if (!.is_string(token) || !nzchar(token)) .refuse("VALIDATION", "No token: give cairn_connect(token = ...) or set CAIRN_TOKEN")
  if (!is.null(context) && (!.is_string(context) || !nzchar(context))) .refuse("VALIDATION", "context must be a context's name or id")
  if (!is.numeric(retries) || length(retries) != 1L || is.na(retries) || retries < 0) .refuse("VALIDATION", "retries must be a number, 0 or more")
  if (!is.numeric(timeout) || length(timeout) != 1L || is.na(timeout) || timeout < 1) .refuse("VALIDATION", "timeout must be a number of seconds, 1 or more")
  # The token lives in an environment, which print() and str() do not show.
  state <- new.env(parent = emptyenv())
  state$token <- token
  structure(
    list(url = sub("/graphql/?$", "", sub("/+$", "", url)), context = context, retries = as.integer(retries), timeout = timeout, state = state),
    class = "cairn_connection"
  )
}

print.cairn_connection <- function(x, ...) {
  cat(sprintf("<cairn connection to %s, context %s>\n", x$url, if (is.null(x$context)) "(the token's)" else .quoted(x$context)))
  invisible(x)
}
