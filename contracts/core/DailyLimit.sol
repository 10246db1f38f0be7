// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title DailyLimit
/// @notice A rolling 24-hour cap on what a gateway pays out, kept as a token bucket: the allowance refills
/// continuously at `capacity` per 24 hours, up to `capacity`. It never resets at a fixed hour, so there is
/// no window edge at which the whole cap becomes available again at once. One storage slot.
library DailyLimit {
    uint256 internal constant REFILL_PERIOD = 1 days;
    /// @dev Stored capacity meaning "no limit" (more than all BTT that exists).
    uint104 internal constant UNLIMITED = type(uint104).max;

    struct State {
        uint104 available; // allowance left at `updatedAt`
        uint104 capacity; // the cap, in BTT wei; UNLIMITED switches the limit off
        uint40 updatedAt;
    }

    /// @notice The allowance available now (`type(uint256).max` when unlimited).
    function current(State memory s) internal view returns (uint256) {
        if (s.capacity == UNLIMITED) return type(uint256).max;
        uint256 refilled = s.available + (uint256(s.capacity) * (block.timestamp - s.updatedAt)) / REFILL_PERIOD;
        return refilled < s.capacity ? refilled : s.capacity;
    }

    /// @notice Records that `remaining` (computed from `current` at this block) is what is left now.
    function settle(State storage self, uint256 remaining) internal {
        if (self.capacity == UNLIMITED) return;
        // Safe: `remaining <= current(self) <= capacity < 2^104`.
        self.available = uint104(remaining);
        self.updatedAt = uint40(block.timestamp);
    }

    /// @notice Sets a new cap; `type(uint256).max` (or anything from UNLIMITED up) means no limit. The
    /// allowance is carried over, but never above the new cap.
    function setCapacity(State storage self, uint256 capacity) internal {
        uint256 available = current(self);
        uint104 newCapacity = capacity >= UNLIMITED ? UNLIMITED : uint104(capacity);
        self.capacity = newCapacity;
        self.available = uint104(available < newCapacity ? available : newCapacity);
        self.updatedAt = uint40(block.timestamp);
    }

    /// @notice The cap as callers see it (`type(uint256).max` when unlimited).
    function capacityOf(State memory s) internal pure returns (uint256) {
        return s.capacity == UNLIMITED ? type(uint256).max : s.capacity;
    }
}
