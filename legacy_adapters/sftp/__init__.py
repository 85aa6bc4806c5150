"""SFTP file drops (paramiko): connection with pinned host keys, safe remote names, atomic outbound writes."""
