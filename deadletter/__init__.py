"""Dead letters: messages parked on ``esb.deadletter`` with the route, error class and history in headers."""
