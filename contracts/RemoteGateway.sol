// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {BridgeGateway} from "./core/BridgeGateway.sol";
import {TransferKind} from "./core/BridgeTypes.sol";
import {Redenomination} from "./core/Redenomination.sol";

/// @title RemoteGateway
/// @notice The gateway on a chain where BTT is bridged (Ethereum, BNB Chain), and that chain's bridged BTT
/// itself: an 18-decimal ERC-20 with EIP-2612 permit whose supply changes only here, minted for
/// deliveries signed by a threshold of validators and burned as BTT leaves. It also takes in legacy
/// BTTOLD for redenomination into BTT on BTTC; BTTOLD taken in stays here for good, as no function
/// sends it out.
/// @dev Token and gateway are one contract (as in Hyperlane's HypERC20) so that minting is an internal
/// call: a delivery saves a cold account access and an external call, about 3,400 gas, and no other
/// contract's code or keys can ever mint bridged BTT.
/// Compiled for Cancun (both Ethereum and BNB Chain run it): its swap entry points keep OpenZeppelin's
/// transient reentrancy guard, which costs about 2,000 gas less per swap than a storage one (README, "Gas").
contract RemoteGateway is BridgeGateway, ERC20Permit, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

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
    )
        BridgeGateway(admin, guardian, initialValidators, initialThreshold, dailyLimit_)
        ERC20("BitTorrent", "BTT")
        ERC20Permit("BitTorrent")
    {
        homeChainId = homeChainId_;
        legacyToken = legacyToken_;
        uint8 decimals_ = address(legacyToken_) == address(0) ? 0 : legacyToken_.decimals();
        legacyDecimals = decimals_;
        if (address(legacyToken_) != address(0)) Redenomination.toBtt(0, decimals_); // rejects unusable decimals
    }

    // ----- outbound -----

    /// @notice Bridges `amount` of the caller's BTT (fee included) to `recipient` on `dstChainId`: the
    /// amount less the fee is burned, the fee kept by this gateway.
    /// @return seq The transfer's sequence number.
    function bridge(uint64 dstChainId, address recipient, uint256 amount) external returns (uint64 seq) {
        uint256 fee = _checkBridgeOut(dstChainId, recipient, amount);
        seq = _nextSequence();
        if (fee != 0) {
            // Checked for the whole amount first, so that a short balance is reported as such rather
            // than as a shortfall on the fee after the burn.
            uint256 balance = balanceOf(msg.sender);
            if (balance < amount) revert ERC20InsufficientBalance(msg.sender, balance, amount);
            _transfer(msg.sender, address(this), fee);
        }
        _burn(msg.sender, amount - fee);
        emit TransferSent(seq, dstChainId, msg.sender, recipient, amount - fee, fee);
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
        // Checked before the permit: a call to a token that does not exist would revert uncaught.
        if (address(legacyToken) == address(0)) revert RedenominationUnavailable();
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
        seq = _nextSequence();
        // Credited by what arrived, not by what was asked for: a token that takes a fee on transfer (or
        // otherwise delivers less) must not be redeemed for more BTT than the BTTOLD it left here.
        uint256 before = legacyToken.balanceOf(address(this));
        legacyToken.safeTransferFrom(msg.sender, address(this), legacyAmount);
        uint256 arrived = legacyToken.balanceOf(address(this)) - before;
        if (arrived == 0) revert ZeroAmount();
        if (arrived > legacyAmount) revert AmountTooLarge(arrived); // a token that mints on transfer
        uint256 amount = Redenomination.toBtt(arrived, legacyDecimals);
        _swaps.received = swaps.received + uint128(arrived); // arrived <= legacyAmount, checked above
        emit SwapSent(seq, homeChainId, msg.sender, recipient, amount, arrived);
    }

    // ----- inbound -----

    function _acceptsInbound(uint8 kind) internal pure override returns (bool) {
        return kind == TransferKind.BRIDGE; // swaps deliver on BTTC only
    }

    function _payoutAvailable(uint8) internal pure override returns (uint256) {
        return type(uint256).max; // minted: bounded by the daily limit alone
    }

    function _revertPayoutUnavailable(uint8, uint256, uint256) internal pure override {}

    function _onReceive(uint8, address recipient, uint256 amount) internal override {
        _mint(recipient, amount);
    }

    // ----- admin -----

    /// @notice Sets the smallest legacy amount `redenominate` accepts. Admin.
    function setSwapMinimum(uint256 minimum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (minimum > type(uint128).max) revert AmountTooLarge(minimum);
        _swaps.minimum = uint128(minimum);
        emit SwapMinimumChanged(minimum);
    }

    function _withdrawFees(address to, uint256 amount) internal override {
        uint256 held = balanceOf(address(this));
        if (amount > held) revert FeesInsufficient(amount, held);
        _transfer(address(this), to, amount);
    }

    // ----- accounting -----

    /// @notice What this gateway's side of the accounting invariant needs (docs/protocol.md, "Accounting invariant").
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
            totalSupply(),
            balanceOf(address(this)),
            legacyReceived,
            address(legacyToken) == address(0) ? 0 : Redenomination.toBtt(legacyReceived, legacyDecimals)
        );
    }

    function swapMinimum() external view returns (uint256) {
        return _swaps.minimum;
    }
}
