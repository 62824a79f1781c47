"""The GraphQL API: strawberry on FastAPI, served by `graphtwin serve`.

`app` builds the FastAPI application, `schema` declares the GraphQL types, `planner` executes
queries breadth-first with one catalogue statement per field and level (`fetchers`), `roles` and
`apikeys` decide who may ask what, and `limits` refuses queries too deep or too costly.
"""
