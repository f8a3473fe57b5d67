//! Paying contributions, the transfer instructions, and the bank's or provider's signed events that settle them.
