//! The documents of the portal: the call for contributions, receipts, pending-transfer notices.
