// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {BridgeGateway} from "./core/BridgeGateway.sol";
import {Transfer, TransferKind} from "./core/BridgeTypes.sol";
import {Redenomination} from "./core/Redenomination.sol";
import {BridgedBTT} from "./tokens/BridgedBTT.sol";

/// @title RemoteGateway
/// @notice The gateway on a chain where BTT is bridged (Ethereum, BNB Chain): burns BTT that leaves,
/// mints BTT that arrives, and takes in legacy BTTOLD for redenomination into BTT on BTTC. BTTOLD taken
/// in stays here for good: no function sends it out.
contract RemoteGateway is BridgeGateway {
    using SafeERC20 for IERC20;

    /// @notice Bridged BTT on this chain, created by this gateway (and so minted only by it).
    BridgedBTT public immutable token;
    /// @notice Legacy BTTOLD on this chain, or the zero address where there is none.
    IERC20 public immutable legacyToken;
    uint8 public immutable legacyDecimals;
    /// @notice BTTC's chain id: swaps always deliver there.
    uint64 public immutable homeChainId;

    struct Swaps {
        uint128 minimum; // smallest legacy amount accepted, in legacy base units
        uint128 received; // all legacy BTTOLD taken in, in legacy base units
    }

    Swaps private _swaps;

    event SwapMinimumChanged(uint256 minimum);

    error RedenominationUnavailable();

    constructor(
        address admin,
        address guardian,
        address[] memory initialValidators,
        uint8 initialThreshold,
        uint256 dailyLimit_,
        uint64 homeChainId_,
        IERC20Metadata legacyToken_
    ) BridgeGateway(admin, guardian, initialValidators, initialThreshold, dailyLimit_) {
        token = new BridgedBTT(address(this));
        homeChainId = homeChainId_;
        legacyToken = legacyToken_;
        legacyDecimals = address(legacyToken_) == address(0) ? 0 : legacyToken_.decimals();
        if (address(legacyToken_) != address(0)) Redenomination.toBtt(0, legacyDecimals); // rejects odd decimals
    }

    // ----- outbound -----

    /// @notice Bridges `amount` of the caller's BTT (fee included) to `recipient` on `dstChainId`.
    /// @return seq The transfer's sequence number.
    function bridge(uint64 dstChainId, address recipient, uint256 amount) external returns (uint64 seq) {
        uint256 fee = _checkBridgeOut(dstChainId, recipient, amount);
        seq = _nextSequence();
        token.burn(msg.sender, amount - fee);
        if (fee != 0) token.collect(msg.sender, fee);
        emit TransferSent(seq, msg.sender, TransferKind.BRIDGE, dstChainId, recipient, amount - fee, fee);
    }

    /// @notice Swaps `legacyAmount` of the caller's BTTOLD (pulled with allowance) for 1,000 times as
    /// much BTT, delivered to `recipient` on BTTC.
    function redenominate(address recipient, uint256 legacyAmount) external nonReentrant returns (uint64) {
        return _redenominate(recipient, legacyAmount);
    }

    /// @notice As `redenominate`, with an EIP-2612 permit instead of a prior approval. A permit that was
    /// already used (for example by a front-runner) is ignored if the allowance is there anyway.
    function redenominateWithPermit(
        address recipient,
        uint256 legacyAmount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint64) {
        try IERC20Permit(address(legacyToken)).permit(msg.sender, address(this), legacyAmount, deadline, v, r, s) {
            // allowance set
        } catch {
            // already used or unsupported: transferFrom below decides
        }
        return _redenominate(recipient, legacyAmount);
    }

    function _redenominate(address recipient, uint256 legacyAmount) private returns (uint64 seq) {
        if (address(legacyToken) == address(0)) revert RedenominationUnavailable();
        if (legacyAmount == 0) revert ZeroAmount();
        if (recipient == address(0)) revert ZeroRecipient();
        Swaps memory swaps = _swaps;
        if (legacyAmount < swaps.minimum) revert AmountBelowMinimum(legacyAmount, swaps.minimum);
        if (legacyAmount > type(uint128).max - swaps.received) revert AmountTooLarge(legacyAmount);
        uint256 amount = Redenomination.toBtt(legacyAmount, legacyDecimals);
        seq = _nextSequence();
        _swaps.received = swaps.received + uint128(legacyAmount);
        legacyToken.safeTransferFrom(msg.sender, address(this), legacyAmount);
        emit TransferSent(seq, msg.sender, TransferKind.SWAP, homeChainId, recipient, amount, 0);
    }

    // ----- inbound -----

    function _acceptsInbound(uint8 kind) internal pure override returns (bool) {
        return kind == TransferKind.BRIDGE; // swaps deliver on BTTC only
    }

    function _payoutAvailable(uint8) internal pure override returns (uint256) {
        return type(uint256).max; // minted: bounded by the daily limit alone
    }

    function _revertPayoutUnavailable(uint8, uint256, uint256) internal pure override {}

    function _onReceive(Transfer calldata t) internal override {
        token.mint(t.recipient, t.amount);
    }

    // ----- admin -----

    /// @notice Sets the smallest legacy amount `redenominate` accepts. Admin.
    function setSwapMinimum(uint256 minimum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (minimum > type(uint128).max) revert AmountTooLarge(minimum);
        _swaps.minimum = uint128(minimum);
        emit SwapMinimumChanged(minimum);
    }

    function _withdrawFees(address to, uint256 amount) internal override {
        uint256 held = token.balanceOf(address(this));
        if (amount > held) revert FeesInsufficient(amount, held);
        IERC20(address(token)).safeTransfer(to, amount);
    }

    // ----- accounting -----

    /// @notice What this gateway's side of the accounting invariant needs (spec §3).
    /// @return bridgedSupply All bridged BTT on this chain (fees held included).
    /// @return feesHeld Bridged BTT this gateway holds as fees.
    /// @return legacyReceived All BTTOLD taken in for redenomination, in legacy base units.
    /// @return swapOwed BTT owed on BTTC for that BTTOLD: exactly 1,000 x, scaled by decimals.
    function accounting()
        external
        view
        returns (uint256 bridgedSupply, uint256 feesHeld, uint256 legacyReceived, uint256 swapOwed)
    {
        legacyReceived = _swaps.received;
        return (
            token.totalSupply(),
            token.balanceOf(address(this)),
            legacyReceived,
            address(legacyToken) == address(0) ? 0 : Redenomination.toBtt(legacyReceived, legacyDecimals)
        );
    }

    function swapMinimum() external view returns (uint256) {
        return _swaps.minimum;
    }
}
