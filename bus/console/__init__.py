"""The operators' web console: static pages at ``/console/`` over the bus's JSON admin API."""
