import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/roles.js';
import { NormalizeEmail } from '../../common/http/normalize-email.js';
import type { Invitation } from '../invitation.entity.js';

export class CreateInvitationDto {
  @ApiProperty({ example: 'grace@acme.test' }) @NormalizeEmail() @IsEmail() @MaxLength(320) email!: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
}

export class InvitationResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'grace@acme.test' }) email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() expiresAt!: Date;
  @ApiProperty() createdAt!: Date;
}

/** Only the answer to creating an invitation carries its token; it is stored hashed and never shown again. */
export class CreatedInvitationResponseDto extends InvitationResponseDto {
  @ApiProperty({ description: 'Give it to the invitee: POST /v1/auth/signup with inviteToken' })
  token!: string;
}

export class InvitationPageDto {
  @ApiProperty({ type: [InvitationResponseDto] }) data!: InvitationResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toInvitationResponse(invitation: Invitation): InvitationResponseDto {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt,
    createdAt: invitation.createdAt,
  };
}
