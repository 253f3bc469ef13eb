//! Front matter of agent files (being written).
