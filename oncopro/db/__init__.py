"""The ground floor: database helpers every app may use.

Two database backends (each a thin layer over Django's own), the one-statement
insert of a row with the rows that point at it (`together`), and the crash
points the crash tests use. Nothing here imports an OncoPRO app: this package
sits beside `oncopro.clinical` at the bottom of the one-way flow
(docs/architecture.md).
"""
