/* Sockets (placeholder) */
