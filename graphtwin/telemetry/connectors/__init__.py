"""One connector per protocol. Each is an object with `async run(sink, health)` that delivers
`Reading`s until cancelled and survives its device's failures (see readings.py)."""
