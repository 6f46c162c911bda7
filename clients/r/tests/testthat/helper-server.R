# A server for the tests: CAIRN_URL and CAIRN_TOKEN, set by npm test (test/clients/r.test.ts).

# A field name abbreviated by `$` is a bug (list(model_id = 1)$model is 1): warned, and a warning fails npm test.
options(warnPartialMatchDollar = TRUE)

needs_server <- function() {
  testthat::skip_if(Sys.getenv("CAIRN_URL") == "", "no Cairn server: set CAIRN_URL and CAIRN_TOKEN")
}

admin <- function(context = NULL) cairn_connect(context = context)

# A name no other test run uses.
unique_name <- function(prefix = "r") paste0(prefix, "-", paste(sprintf("%02x", as.integer(openssl::rand_bytes(5))), collapse = ""))

# The condition `expr` signals, checked to be a cairn_error (exactly that class: a refusal) with `code`.
refusal <- function(expr, code) {
  condition <- tryCatch({
    expr
    NULL
  }, condition = function(c) c)
  testthat::expect_false(is.null(condition), info = paste("expected a refusal with code", code))
  testthat::expect_equal(class(condition), c("cairn_error", "error", "condition"))
  testthat::expect_equal(condition$code, code)
  condition
}

# A context of its own, with a principal holding `role` there and one token for it: the token's secret and id.
given_context <- function() {
  cn <- admin()
  name <- unique_name("r-ctx")
  made <- cairn_graphql(cn, "mutation ($n: String!) { createContext(name: $n) { __typename ... on CreateContextSuccess { context { id } } } }", list(n = name))
  testthat::expect_equal(made$createContext$`__typename`, "CreateContextSuccess")
  list(name = name, id = made$createContext$context$id)
}

given_token <- function(context, role = "editor") {
  cn <- admin(context)
  principal <- cairn_graphql(cn, "mutation ($n: String!) { createPrincipal(name: $n, kind: SERVICE) { ... on CreatePrincipalSuccess { principal { id } } } }",
    list(n = unique_name("r-principal")))$createPrincipal$principal$id
  granted <- cairn_graphql(cn, "mutation ($i: RoleGrantInput!) { grantRole(input: $i) { __typename } }", list(i = list(role = role, principalId = principal)))
  testthat::expect_equal(granted$grantRole$`__typename`, "GrantRoleSuccess")
  token <- cairn_graphql(cn, "mutation ($i: CreateTokenInput!) { createToken(input: $i) { ... on CreateTokenSuccess { secret token { id } } } }",
    list(i = list(principalId = principal, name = "r-test")))$createToken
  list(secret = token$secret, id = token$token$id)
}
