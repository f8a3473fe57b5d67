//! Expertpass: the QR-code challenge, its approval by the enrolled app, and enrolling or removing a device.
