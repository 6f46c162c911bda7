# A stand-in server on a port of its own, in a forked process: it answers one connection after another with the
# canned HTTP responses given, then stops; the heads of the requests it read come back from fake_requests().

fake_server <- function(responses) {
  for (attempt in 1:50) {
    port <- sample(20000:60000, 1)
    listener <- tryCatch(serverSocket(port), error = function(e) NULL)
    if (!is.null(listener)) break
  }
  heads <- tempfile()
  job <- parallel::mcparallel({
    for (response in responses) {
      con <- socketAccept(listener, blocking = TRUE, open = "r+b")
      head <- character()
      repeat {
        line <- readLines(con, n = 1L)
        if (length(line) == 0L || line == "") break
        head <- c(head, line)
      }
      length <- as.integer(sub("(?i)^content-length:\\s*", "", grep("(?i)^content-length:", head, value = TRUE, perl = TRUE), perl = TRUE))
      if (length(length) == 1L && length > 0L) readBin(con, "raw", length)
      cat(head, "", file = heads, sep = "\n", append = TRUE)
      writeBin(charToRaw(response), con)
      flush(con)
      close(con)
    }
    close(listener)
  }, silent = TRUE)
  close(listener)
  list(url = sprintf("http://127.0.0.1:%d", port), job = job, heads = heads)
}

# Waits for the fake server to have answered all it was given, and returns the request heads it read, one
# character vector each.
fake_requests <- function(fake) {
  parallel::mccollect(fake$job)
  lines <- readLines(fake$heads)
  unlink(fake$heads)
  blocks <- split(lines, cumsum(lines == ""))
  Filter(length, lapply(blocks, function(block) block[block != ""]))
}

http_response <- function(status, body = "", headers = character()) {
  paste0(sprintf("HTTP/1.1 %s\r\n", status), paste0(names(headers), ": ", headers, "\r\n", collapse = ""),
    sprintf("Content-Length: %d\r\nConnection: close\r\n\r\n", nchar(body, type = "bytes")), body)
}

# A model and a version as the client holds them, for a connection to the fake server.
fake_version <- function(url, number = 1L) {
  cn <- cairn_connect(url, "cairn_fake_token", context = "default")
  model <- structure(list(id = "11111111-1111-4111-8111-111111111111", name = "fake"), class = "cairn_model", cairn_connection = cn)
  structure(list(number = number, model = model), class = "cairn_version")
}
