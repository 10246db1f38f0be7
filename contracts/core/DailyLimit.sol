// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title DailyLimit
/// @notice A rolling 24-hour cap on what a gateway pays out, kept as a token bucket: the allowance refills
/// continuously at `capacity` per 24 hours, up to `capacity`. It never resets at a fixed hour, so there is
/// no window edge at which the whole cap becomes available again at once. Amounts are 96-bit so that the
/// limit shares one storage slot with the rest of a delivery's state: a finite cap is at most 2^96 - 1
/// wei (about 79.2 billion BTT); `UNLIMITED` switches the limit off.
library DailyLimit {
    uint256 internal constant REFILL_PERIOD = 1 days;
    /// @dev Stored capacity meaning "no limit".
    uint96 internal constant UNLIMITED = type(uint96).max;

    /// @notice The allowance available now, from the stored allowance, cap and time of the last update
    /// (`type(uint256).max` when unlimited).
    function current(uint96 available, uint96 capacity, uint32 updatedAt) internal view returns (uint256) {
        if (capacity == UNLIMITED) return type(uint256).max;
        uint256 refilled = available + (uint256(capacity) * (block.timestamp - updatedAt)) / REFILL_PERIOD;
        return refilled < capacity ? refilled : capacity;
    }

    /// @notice The stored form of a cap given in wei (`type(uint256).max`, or anything from UNLIMITED up,
    /// means no limit).
    function toCapacity(uint256 cap) internal pure returns (uint96) {
        return cap >= UNLIMITED ? UNLIMITED : uint96(cap);
    }

    /// @notice A stored cap as callers see it (`type(uint256).max` when unlimited).
    function fromCapacity(uint96 capacity) internal pure returns (uint256) {
        return capacity == UNLIMITED ? type(uint256).max : capacity;
    }
}
