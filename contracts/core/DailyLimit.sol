// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title DailyLimit
/// @notice A rolling 24-hour cap on what a gateway pays out, kept as a token bucket: the allowance refills
/// continuously at `cap` per 24 hours, up to `cap`. It never resets at a fixed hour, so there is no window
/// edge at which the whole cap becomes available again at once. What it guarantees: at most `cap` leaves
/// at once, and at most `cap + cap * t / 24h` over any period of length `t` (so at most twice the cap in
/// any 24 hours; a strict "cap per any 24 hours" would need a history of payouts, read and written by
/// every delivery).
///
/// Amounts are kept in units of 10^9 wei (a billionth of a BTT), so that the allowance and the cap fit
/// 88 bits each and share one storage slot with the rest of a delivery's state (and a 48-bit time that
/// never wraps), while any cap up to about 3.09 * 10^17 BTT (over 300 times all BTT) can be set. A payout consumes its amount rounded up to
/// the next unit, so the cap is never exceeded.
library DailyLimit {
    uint256 internal constant REFILL_PERIOD = 1 days;
    /// @notice Wei per stored unit.
    uint256 internal constant UNIT = 1e9;
    /// @dev Stored cap meaning "no limit".
    uint88 internal constant UNLIMITED = type(uint88).max;

    /// @notice A cap given in wei cannot be stored (it is above the largest finite cap, and is not
    /// `type(uint256).max`, which means "no limit").
    error DailyLimitTooLarge(uint256 cap);

    /// @notice The allowance available now, in units, from the stored allowance, cap and time of the
    /// last update (`type(uint256).max` when unlimited).
    function current(uint88 available, uint88 capacity, uint48 updatedAt) internal view returns (uint256) {
        if (capacity == UNLIMITED) return type(uint256).max;
        uint256 refilled = available + (uint256(capacity) * (block.timestamp - updatedAt)) / REFILL_PERIOD;
        return refilled < capacity ? refilled : capacity;
    }

    /// @notice Units a payout of `amount` wei consumes (rounded up).
    function unitsOf(uint256 amount) internal pure returns (uint256) {
        return amount / UNIT + (amount % UNIT == 0 ? 0 : 1);
    }

    /// @notice Units in wei (`type(uint256).max` stays as is: unlimited).
    function toWei(uint256 units) internal pure returns (uint256) {
        return units == type(uint256).max ? units : units * UNIT;
    }

    /// @notice The stored form of a cap given in wei: rounded down to whole units; `type(uint256).max`
    /// means no limit.
    function toCapacity(uint256 cap) internal pure returns (uint88) {
        if (cap == type(uint256).max) return UNLIMITED;
        uint256 units = cap / UNIT;
        if (units >= UNLIMITED) revert DailyLimitTooLarge(cap);
        return uint88(units);
    }

    /// @notice A stored cap in wei (`type(uint256).max` when unlimited).
    function fromCapacity(uint88 capacity) internal pure returns (uint256) {
        return capacity == UNLIMITED ? type(uint256).max : uint256(capacity) * UNIT;
    }
}
