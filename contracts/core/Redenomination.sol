// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Redenomination
/// @notice 1 BTTOLD = 1,000 BTT, scaled by both tokens' decimals, with no rounding: an amount that cannot
/// be converted exactly is refused rather than rounded.
library Redenomination {
    uint256 internal constant RATIO = 1000;
    uint8 internal constant BTT_DECIMALS = 18;

    /// @notice `amount` of legacy base units cannot be converted without losing part of it.
    error RedenominationInexact(uint256 amount, uint8 legacyDecimals);

    /// @notice Legacy tokens with more decimals than this cannot be paired at 1:1000 with 18-decimal BTT
    /// without a divisor too large to be meaningful.
    error RedenominationUnsupportedDecimals(uint8 legacyDecimals);

    /// @notice New BTT base units (wei) for `amount` legacy base units of a token with `legacyDecimals`.
    function toBtt(uint256 amount, uint8 legacyDecimals) internal pure returns (uint256) {
        // 1 legacy token (10^d units) is worth 1000 BTT (1000 * 10^18 wei), so one unit is worth
        // 10^(21 - d) wei: a whole multiplier for d <= 21, a divisor above it.
        if (legacyDecimals <= BTT_DECIMALS + 3) {
            return amount * 10 ** (BTT_DECIMALS + 3 - legacyDecimals);
        }
        if (legacyDecimals > 77) revert RedenominationUnsupportedDecimals(legacyDecimals);
        uint256 divisor = 10 ** (legacyDecimals - BTT_DECIMALS - 3);
        if (amount % divisor != 0) revert RedenominationInexact(amount, legacyDecimals);
        return amount / divisor;
    }
}
