//! Declaring the persons attached to a bureau: attach, detach, save, submit, correct, and the history.
