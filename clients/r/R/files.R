# Files: uploaded by the GraphQL multipart request spec, streamed from disk; downloaded with their sha256 checked.

.UPLOAD <- sprintf(
  "mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename ... on UploadFormatSuccess { format { %s } } %s } }",
  .FORMAT, .ERROR
)

.scratch <- function() {
  dir <- tempfile("cairn-")
  dir.create(dir)
  dir
}

cairn_upload <- function(version, format, x) {
  model <- .model_of(version)
  cn <- .connection_of(model)
  if (!.is_string(format) || !nzchar(format)) .refuse("VALIDATION", "format must be one string: rda, pkl or pmml")
  expression <- substitute(x)
  scratch <- NULL
  on.exit(if (!is.null(scratch)) unlink(scratch, recursive = TRUE), add = TRUE)
  # The file's name on the server: a path's own, else model.<format> (the format made safe to be a file name).
  own_name <- paste0("model.", gsub("[^A-Za-z0-9_-]", "_", format))
  if (is.character(x) && length(x) == 1L && !is.na(x)) {
    if (!file.exists(x) || dir.exists(x)) .refuse("VALIDATION", paste("No file at", .quoted(x), "(a single string is a path to upload)"))
    path <- x
  } else if (is.raw(x)) {
    scratch <- .scratch()
    path <- file.path(scratch, own_name)
    writeBin(x, path)
  } else if (identical(format, "rda")) {
    # Any R object, saved for it under the name it was passed by (cairn_upload(v, "rda", fit) saves `fit`).
    name <- if (is.symbol(expression)) as.character(expression) else "model"
    scratch <- .scratch()
    path <- file.path(scratch, own_name)
    holder <- new.env(parent = emptyenv())
    assign(name, x, envir = holder)
    save(list = name, envir = holder, file = path)
  } else {
    .refuse("VALIDATION", sprintf(
      "A %s file is uploaded from a path or a raw vector; only for rda is an R object saved for you", .quoted(format)))
  }
  # The sha256 goes with the request, so the server refuses a file that arrives different; both passes stream.
  # raw = TRUE: file() would otherwise read a gzip-compressed file (as save() writes) decompressed.
  digest <- .sha256(file(path, raw = TRUE))
  operations <- .json(list(query = .UPLOAD, variables = list(input = list(
    modelId = model$id, number = version$number, format = format, file = NULL, sha256 = digest
  ))))
  key <- .uuid()
  result <- .repeating(cn, TRUE, function() {
    h <- .handle(cn, c(`Idempotency-Key` = key))
    # In the spec's order: operations, map, then the file, which libcurl reads from disk as it sends.
    curl::handle_setform(h, .list = list(
      operations = curl::form_data(operations, "application/json"),
      map = curl::form_data("{\"0\":[\"variables.input.file\"]}", "application/json"),
      `0` = curl::form_file(path, "application/octet-stream")
    ))
    .result(cn, .fetch(cn, paste0(cn$url, "/graphql"), h))$uploadFormat
  })
  result <- .checked(cn, result, .asked(version))
  version$formats[[format]] <- result$format
  version
}

.file_url <- function(cn, version, format) {
  sprintf("%s/files/%s/%d/%s", cn$url, curl::curl_escape(version$model$id), as.integer(version$number), curl::curl_escape(format))
}

cairn_download <- function(version, format, path = NULL) {
  model <- .model_of(version)
  cn <- .connection_of(model)
  if (!.is_string(format) || !nzchar(format)) .refuse("VALIDATION", "format must be one string: rda, pkl or pmml")
  if (!is.null(path) && !.is_string(path)) .refuse("VALIDATION", "path must be one string, or NULL for a raw vector")
  url <- .file_url(cn, version, format)
  asked <- .asked(version, format = format)
  part <- if (!is.null(path)) paste0(path, ".part")
  .repeating(cn, FALSE, function() {
    res <- .fetch(cn, url, .handle(cn), part)
    if (res$status_code != 200L) {
      body <- if (is.null(part)) res$content else readBin(part, "raw", 65536L)
      if (!is.null(part)) unlink(part)
      stop(.refusal_of(cn, res$status_code, body, asked))
    }
    expected <- curl::parse_headers_list(res$headers)[["x-checksum-sha256"]]
    expected <- if (is.null(expected)) NA_character_ else tolower(trimws(as.character(expected[[1]])))
    actual <- .sha256(if (is.null(part)) res$content else file(part, raw = TRUE))
    if (!identical(actual, expected)) {
      if (!is.null(part)) unlink(part)
      .refuse("CHECKSUM_MISMATCH", sprintf("downloaded sha256 %s, recorded %s", actual, if (is.na(expected)) "(none)" else expected))
    }
    if (is.null(part)) return(res$content)
    if (!file.rename(part, path)) {
      unlink(part)
      .refuse("WRITE_FAILED", paste("Could not write", .quoted(path)))
    }
    invisible(path)
  })
}

cairn_load <- function(version, format = "rda") {
  if (!identical(format, "rda")) .refuse("VALIDATION", "cairn_load() reads rda files; cairn_download() fetches the other formats")
  file <- tempfile(fileext = ".rda")
  on.exit(unlink(file), add = TRUE)
  cairn_download(version, "rda", file)
  holder <- new.env()
  loaded <- tryCatch(suppressWarnings(load(file, envir = holder)), error = function(e) NULL)
  if (is.null(loaded)) {
    # A file written by saveRDS() rather than save(): its one object.
    object <- tryCatch(list(suppressWarnings(readRDS(file))), error = function(e) NULL)
    if (is.null(object)) {
      .refuse("NOT_RDA", sprintf("The rda file of version %d of model %s is not R data (neither save() nor saveRDS() wrote it)",
        as.integer(version$number), .quoted(version$model$name)))
    }
    return(object[[1]])
  }
  if (length(loaded) == 1L) get(loaded, envir = holder) else holder
}
